/// The console's frame, sign-in, and the pages that report an outcome.
///
/// Templates are Swift strings rather than files beside the binary: the
/// package installs one executable, and a template can never go missing from it.
/// Every `{{value}}` is HTML-escaped by Mustache; the unescaped forms
/// (triple braces and `{{&`) appear nowhere (ConsoleTemplateTests checks).
enum LayoutTemplates {
    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{$title}}Console{{/title}} · Hushbox</title>
        <link rel="stylesheet" href="/console/console.css">
        <script src="/console/app.js" defer></script>
        </head>
        <body>
        <header>
        <a class="brand" href="/console/">Hushbox</a>
        {{#signed_in}}
        <nav>
        {{#nav}}<a href="{{href}}"{{#current}} aria-current="page"{{/current}}>{{label}}</a>{{/nav}}
        </nav>
        <form method="post" action="/console/sign-out" class="sign-out">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <span class="who">{{role}}</span> <button type="submit">Sign out</button>
        </form>
        {{/signed_in}}
        </header>
        <main>
        {{$content}}{{/content}}
        </main>
        <footer>
        <p>This console sets only the cookies it needs to keep you signed in and to protect its forms; nothing tracks you, so there is nothing to consent to.</p>
        </footer>
        </body>
        </html>
        """

    static let signIn = """
        {{<layout}}
        {{$title}}Sign in{{/title}}
        {{$content}}
        <h1>Sign in</h1>
        {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
        <form method="post" action="/console/sign-in" class="stacked" id="sign-in">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>E-mail address <input type="email" name="email" autocomplete="username" required value="{{email}}"></label>
        <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
        <button type="submit">Sign in</button>
        </form>
        <p class="hint">The first owner is made on the box with <code>hushbox user add</code> (see the customer guide). A session ends 30 minutes after your last click and 12 hours after you signed in.</p>
        {{/content}}
        {{/layout}}
        """

    /// A refusal, with what the API said to do about it.
    static let problem = """
        {{<layout}}
        {{$title}}{{title}}{{/title}}
        {{$content}}
        <h1>{{title}}</h1>
        <p class="error" role="alert">{{detail}}</p>
        <p><a href="{{back}}">Back</a></p>
        {{/content}}
        {{/layout}}
        """

    /// What a form did, for outcomes that must be shown once (a new key) or read (an erasure's dates).
    static let outcome = """
        {{<layout}}
        {{$title}}{{heading}}{{/title}}
        {{$content}}
        <h1>{{heading}}</h1>
        <dl class="outcome">
        {{#facts}}<dt>{{name}}</dt><dd{{#secret}} class="secret" id="shown-once"{{/secret}}>{{value}}</dd>{{/facts}}
        </dl>
        {{#warning}}<p class="warning">{{warning}}</p>{{/warning}}
        <p><a href="{{back}}">Back</a></p>
        {{/content}}
        {{/layout}}
        """
}
