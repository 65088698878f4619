/// Retention, a person's privacy requests, and the audit log.
enum PrivacyTemplates {
    static let retention = """
        {{<layout}}
        {{$title}}Retention{{/title}}
        {{$content}}
        <h1>Retention</h1>
        <p class="hint">What the box keeps, and for how long. The daily purge removes anything older.</p>
        <table>
        <thead><tr><th>What</th><th>Kept for</th><th>Allowed</th></tr></thead>
        <tbody>
        {{#kinds}}
        <tr id="retention-{{kind}}">
        <td data-label="What">{{kind}}</td>
        <td data-label="Kept for">{{#may_set_retention}}{{#changeable}}<form method="post" action="/console/retention/{{kind}}" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="number" name="days" value="{{days}}" min="1" max="3650" aria-label="Days to keep {{kind}}"> days <button type="submit">Set</button></form>{{/changeable}}{{/may_set_retention}}{{^may_set_retention}}{{days}} days{{/may_set_retention}}{{#may_set_retention}}{{^changeable}}{{days}} days{{/changeable}}{{/may_set_retention}}</td>
        <td data-label="Allowed">{{allowed}}</td>
        </tr>
        {{/kinds}}
        </tbody>
        </table>
        <h2>The next purge</h2>
        <p class="hint">What the daily purge (03:00 UTC) would remove if it ran now, under the periods above.</p>
        <table id="purge-preview">
        <thead><tr><th>What</th><th>Items</th><th>Decided by</th></tr></thead>
        <tbody>
        {{#preview}}<tr><td data-label="What">{{label}}</td><td data-label="Items">{{count}}</td><td data-label="Decided by">{{retention_kind}}, {{days}} days</td></tr>{{/preview}}
        </tbody>
        </table>
        {{/content}}
        {{/layout}}
        """

    static let privacy = """
        {{<layout}}
        {{$title}}Privacy requests{{/title}}
        {{$content}}
        <h1>Privacy requests</h1>
        <p class="hint">A person is named by a caller's number (with country code, e.g. +49 30 1234567) or a user's e-mail address. Each request is written to the audit log.</p>
        <section class="card">
        <h2>Access: export everything about a person</h2>
        <form method="post" action="/console/privacy/export" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Number or e-mail address <input name="subject" required maxlength="200"></label>
        <button type="submit">Download the export (ZIP)</button>
        </form>
        </section>
        <section class="card">
        <h2>Erasure</h2>
        <p class="hint">The person's calls and messages are hidden at once and deleted for good after 30 days; receivers that were sent messages are told.</p>
        <form method="post" action="/console/privacy/erasure" class="stacked" id="erasure" data-confirm="Erase everything about this person? Their messages disappear now and are deleted for good in 30 days.">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Number or e-mail address <input name="subject" required maxlength="200"></label>
        <button type="submit" class="danger">Erase</button>
        </form>
        </section>
        <section class="card">
        <h2>Rectification</h2>
        <p class="hint">For a caller, the corrected number; for a user, a corrected address or name.</p>
        <form method="post" action="/console/privacy/rectification" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Number or e-mail address as recorded <input name="subject" required maxlength="200"></label>
        <label>Corrected number <input name="number" maxlength="40" inputmode="tel"></label>
        <label>Corrected e-mail address <input type="email" name="email" maxlength="200"></label>
        <label>Corrected name <input name="display_name" maxlength="200"></label>
        <button type="submit">Correct</button>
        </form>
        </section>
        <section class="card">
        <h2>Restriction</h2>
        <p class="hint">A user whose processing is restricted cannot sign in until the restriction is lifted.</p>
        <form method="post" action="/console/privacy/restriction" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>User's e-mail address <input type="email" name="subject" required maxlength="200"></label>
        <button type="submit" name="lift" value="false">Restrict</button>
        <button type="submit" name="lift" value="true">Lift the restriction</button>
        </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let audit = """
        {{<layout}}
        {{$title}}Audit log{{/title}}
        {{$content}}
        <h1>Audit log</h1>
        {{#chain}}<p class="chain {{status}}" id="chain">The chain of entries is <strong>{{status}}</strong> ({{entries}} entries of this organisation){{#reason}}: {{reason}}{{/reason}}.</p>{{/chain}}
        <table class="audit">
        <thead><tr><th>#</th><th>When</th><th>Who</th><th>What</th><th>Details</th></tr></thead>
        <tbody>
        {{#entries}}<tr><td data-label="#">{{sequence}}</td><td data-label="When">{{at_text}}</td><td data-label="Who">{{actor}}</td><td data-label="What">{{action}}</td><td data-label="Details">{{#erased}}(erased) {{/erased}}{{details_text}}</td></tr>{{/entries}}
        </tbody>
        </table>
        {{#next}}<p><a href="{{next}}" rel="next">Older entries</a></p>{{/next}}
        {{/content}}
        {{/layout}}
        """
}
