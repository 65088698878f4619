/// Incidents with their 72-hour clock, sub-processors, and the uplink queue.
enum ComplianceTemplates {
    static let incidents = """
        {{<layout}}
        {{$title}}Incidents{{/title}}
        {{$content}}
        <h1>Incidents</h1>
        <p class="hint">A personal-data breach must be reported to the supervisory authority within 72 hours of becoming aware of it (GDPR Art. 33).</p>
        <ul class="incidents">
        {{#incidents}}
        <li class="card" id="incident-{{id}}">
        <strong>{{severity}}</strong> · {{summary}}
        <div class="meta">Aware since {{aware_since_text}} · notify by {{notify_by_text}}{{#notified_at}} · notified {{notified_at_text}}{{/notified_at}}{{#closed_at}} · closed {{closed_at_text}}{{/closed_at}}{{#clock}} · <span class="{{clock_class}}">{{clock}}</span>{{/clock}}</div>
        {{#open}}
        <form method="post" action="/console/incidents/{{id}}/notification" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input name="reason" placeholder="Reference or note" maxlength="500" aria-label="Notification note"> <input type="datetime-local" name="at" aria-label="When the authority was notified (UTC; empty for now)"> <button type="submit">Authority notified</button></form>
        <form method="post" action="/console/incidents/{{id}}/closing" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input name="reason" placeholder="Why no notification is needed" maxlength="500" aria-label="Reason to close without notification"> <input type="hidden" name="without_notification" value="true"> <button type="submit">Close without notifying</button></form>
        <details><summary>Correct this record</summary>
        <form method="post" action="/console/incidents/{{id}}/update" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Severity <select name="severity">{{#severities}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/severities}}</select></label>
        <label>What happened <textarea name="summary" maxlength="4000" rows="3">{{summary}}</textarea></label>
        <label>Aware since (UTC; empty keeps {{aware_since_text}}) <input type="datetime-local" name="aware_since"></label>
        <button type="submit">Save the correction</button>
        </form>
        </details>
        {{/open}}
        {{#notified_open}}
        <form method="post" action="/console/incidents/{{id}}/closing" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Close</button></form>
        {{/notified_open}}
        </li>
        {{/incidents}}
        </ul>
        {{^incidents}}<p>No incidents {{^all}}open{{/all}}{{#all}}recorded{{/all}}.</p>{{/incidents}}
        <p>{{^all}}<a href="/console/incidents?all=true">Show closed incidents too</a>{{/all}}{{#all}}<a href="/console/incidents">Show open incidents only</a>{{/all}}</p>
        <section class="card">
        <h2>Record an incident</h2>
        <form method="post" action="/console/incidents" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Severity <select name="severity"><option>low</option><option selected>medium</option><option>high</option><option>critical</option></select></label>
        <label>What happened <textarea name="summary" required maxlength="4000" rows="3"></textarea></label>
        <label>Aware since (UTC; empty for now) <input type="datetime-local" name="aware_since"></label>
        <button type="submit">Record</button>
        </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let subProcessors = """
        {{<layout}}
        {{$title}}Sub-processors{{/title}}
        {{$content}}
        <h1>Sub-processors</h1>
        <p class="hint">Where messages may be delivered. Customers are told before a new one goes live.</p>
        <table>
        <thead><tr><th>Name</th><th>Purpose</th><th>Region</th><th>Notice</th><th>Live from</th><th></th></tr></thead>
        <tbody>
        {{#processors}}<tr><td data-label="Name">{{name}}</td><td data-label="Purpose">{{purpose}}</td><td data-label="Region">{{region}}</td><td data-label="Notice">{{notice_at_text}}</td><td data-label="Live from">{{go_live_at_text}}{{^live}} (not yet){{/live}}</td>
        <td><form method="post" action="/console/sub-processors/{{name}}/delete" class="inline" data-confirm="Remove this sub-processor?"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Remove</button></form></td></tr>{{/processors}}
        </tbody>
        </table>
        <section class="card">
        <h2>Add a sub-processor</h2>
        <form method="post" action="/console/sub-processors" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Name (letters, digits, - and _) <input name="name" required maxlength="64"></label>
        <label>Purpose <input name="purpose" required maxlength="200"></label>
        <label>Country where it processes (two letters, e.g. DE) <input name="region" required maxlength="2" pattern="[A-Za-z]{2}"></label>
        <label>Notice given on (empty for today) <input type="date" name="notice_given"></label>
        <label>Goes live on (empty for the earliest allowed) <input type="date" name="go_live"></label>
        <button type="submit">Add</button>
        </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let uplink = """
        {{<layout}}
        {{$title}}Uplink queue{{/title}}
        {{$content}}
        <h1>Uplink queue</h1>
        <p class="hint">Messages and erasure notices waiting for the receivers you named.</p>
        <table>
        <thead><tr><th>What</th><th>State</th><th>Attempts</th><th>Next attempt</th><th>Last outcome</th><th></th></tr></thead>
        <tbody>
        {{#entries}}<tr><td data-label="What">{{kind}}</td><td data-label="State">{{state}}</td><td data-label="Attempts">{{attempts}}</td><td data-label="Next attempt">{{next_attempt_at_text}}</td><td data-label="Last outcome">{{last_outcome}} {{last_status}}</td>
        <td>{{#may_configure}}{{#retryable}}<form method="post" action="/console/uplink/{{id}}/retry" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Retry</button></form>{{/retryable}}{{/may_configure}}</td></tr>{{/entries}}
        </tbody>
        </table>
        {{^entries}}<p>Nothing is waiting.</p>{{/entries}}
        <p>{{^all}}<a href="/console/uplink?all=true">Show delivered entries too</a>{{/all}}{{#all}}<a href="/console/uplink">Show waiting entries only</a>{{/all}}</p>
        {{/content}}
        {{/layout}}
        """
}
