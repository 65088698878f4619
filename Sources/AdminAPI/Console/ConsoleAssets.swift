/// The console's only script and style sheet, served from the box itself (the
/// CSP allows no inline script or style and nothing from elsewhere).
enum ConsoleAssets {
    /// Two things a plain form cannot do: ask before something is destroyed,
    /// and send a greeting's audio file as it is (the API takes the file as the
    /// request body; the form's CSRF token goes in a header).
    static let script = #"""
        "use strict";
        document.addEventListener("submit", function (event) {
          var form = event.target;
          var question = form.getAttribute("data-confirm");
          if (question && !window.confirm(question)) { event.preventDefault(); return; }
          var target = form.getAttribute("data-upload");
          if (!target) { return; }
          event.preventDefault();
          var file = form.querySelector("input[type=file]").files[0];
          var output = form.querySelector("output");
          if (!file) { output.textContent = "Choose a file first."; return; }
          output.textContent = "Uploading and converting…";
          fetch(target, {
            method: "PUT", body: file, credentials: "same-origin",
            headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": form.elements.csrf.value }
          }).then(function (response) {
            return response.json().then(function (body) {
              if (response.ok) {
                output.textContent = "Saved: " + body.seconds.toFixed(1) + " s. Callers hear it from the next call.";
                output.setAttribute("data-state", "saved");
              } else {
                output.textContent = body.detail || ("Refused (" + response.status + ")");
                output.setAttribute("data-state", "refused");
              }
            });
          }).catch(function () {
            output.textContent = "The box could not be reached; try again.";
            output.setAttribute("data-state", "refused");
          });
        });
        """#

    static let styleSheet = """
        :root { color-scheme: light dark; --accent: #2457a6; --danger: #b3261e; --muted: #666; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.45 system-ui, sans-serif; }
        header { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; padding: .6rem 1rem; border-bottom: 1px solid #8884; }
        header .brand { font-weight: 700; text-decoration: none; color: inherit; }
        nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; flex: 1; }
        nav a { color: var(--accent); text-decoration: none; }
        nav a[aria-current=page] { font-weight: 700; text-decoration: underline; }
        .sign-out { margin-left: auto; }
        .who { color: var(--muted); font-size: .9rem; }
        main { padding: 1rem; max-width: 60rem; margin: 0 auto; }
        footer { padding: 1rem; color: var(--muted); font-size: .85rem; max-width: 60rem; margin: 0 auto; }
        h1 { font-size: 1.5rem; margin: .2rem 0 1rem; }
        .hint { color: var(--muted); }
        .error { color: var(--danger); font-weight: 600; }
        .warning { font-weight: 600; }
        .card { border: 1px solid #8884; border-radius: .5rem; padding: .8rem 1rem; margin: 0 0 1rem; }
        form.stacked { display: grid; gap: .6rem; max-width: 28rem; }
        form.stacked label { display: grid; gap: .2rem; }
        form.inline { display: inline-flex; flex-wrap: wrap; gap: .3rem; align-items: center; margin: .2rem 0; }
        label.check, form.stacked label.check { display: flex; gap: .4rem; align-items: center; }
        input, select, textarea, button { font: inherit; padding: .35rem .5rem; }
        button { cursor: pointer; }
        button.danger { color: #fff; background: var(--danger); border: 0; border-radius: .3rem; }
        ul.messages, ul.incidents, ul.greetings { list-style: none; padding: 0; }
        li.message { border-bottom: 1px solid #8884; padding: .7rem 0; }
        li.message.new .meta strong { color: var(--accent); }
        .badge { background: var(--accent); color: #fff; border-radius: .6rem; padding: 0 .45rem; font-size: .8rem; }
        audio { width: 100%; margin: .4rem 0; }
        .actions { display: flex; flex-wrap: wrap; gap: .4rem 1rem; align-items: center; }
        table { border-collapse: collapse; width: 100%; display: block; overflow-x: auto; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #8884; vertical-align: top; }
        .chain.intact strong { color: #1b7a2f; }
        .chain.broken strong, .overdue { color: var(--danger); font-weight: 700; }
        dl.outcome dt { font-weight: 600; }
        dl.outcome dd { margin: 0 0 .6rem; word-break: break-all; }
        dd.secret { font-family: ui-monospace, monospace; background: #8882; padding: .3rem; }
        @media (max-width: 40rem) {
          main { padding: .6rem; }
          nav { order: 3; flex-basis: 100%; }
          /* On a phone a table's rows become cards: each cell on its own line, headed by its column's name. */
          table, tbody, tr, td { display: block; }
          thead { display: none; }
          tr { border-bottom: 1px solid #8884; padding: .5rem 0; }
          td { border: 0; padding: .1rem 0; word-break: break-word; }
          td[data-label]::before { content: attr(data-label) ": "; color: var(--muted); }
        }
        """
}
