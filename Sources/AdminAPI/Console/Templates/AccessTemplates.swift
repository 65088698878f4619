/// Users and API keys.
enum AccessTemplates {
    static let users = """
        {{<layout}}
        {{$title}}Users{{/title}}
        {{$content}}
        <h1>Users</h1>
        <table>
        <thead><tr><th>E-mail address</th><th>Name</th><th>Role</th><th>State</th><th></th></tr></thead>
        <tbody>
        {{#users}}<tr id="user-{{id}}"><td data-label="E-mail address">{{email}}</td><td data-label="Name">{{display_name}}</td><td data-label="Role">{{role}}</td><td data-label="State">{{#disabled_at}}disabled{{/disabled_at}}{{^disabled_at}}active{{/disabled_at}}</td>
        <td><form method="post" action="/console/users/{{id}}/change" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="hidden" name="current_role" value="{{role}}">
        <select name="role" aria-label="Role">{{#roles}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/roles}}</select>
        {{^disabled_at}}<label class="check"><input type="checkbox" name="disabled" value="true"> disable</label>{{/disabled_at}}
        <input type="password" name="password" minlength="12" autocomplete="new-password" placeholder="New password (optional)" aria-label="New password for {{email}}; it ends their sessions">
        <button type="submit">Change</button>
        </form></td></tr>{{/users}}
        </tbody>
        </table>
        <section class="card">
        <h2>Add a user</h2>
        <form method="post" action="/console/users" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>E-mail address <input type="email" name="email" required maxlength="200"></label>
        <label>Name <input name="display_name" maxlength="200"></label>
        <label>Role <select name="role">{{#grantable}}<option>{{.}}</option>{{/grantable}}</select></label>
        <label>First password (at least 12 characters; they should change it) <input type="password" name="password" required minlength="12" autocomplete="new-password"></label>
        <button type="submit">Add</button>
        </form>
        </section>
        {{/content}}
        {{/layout}}
        """

    static let apiKeys = """
        {{<layout}}
        {{$title}}API keys{{/title}}
        {{$content}}
        <h1>API keys</h1>
        <p class="hint">For scripts: send <code>Authorization: Bearer</code> with the key to <code>/api/v1</code>. A key is shown once, when it is made.</p>
        <table>
        <thead><tr><th>Label</th><th>Role</th><th>Made</th><th>Last used</th><th></th></tr></thead>
        <tbody>
        {{#keys}}<tr><td data-label="Label">{{label}}</td><td data-label="Role">{{role}}</td><td data-label="Made">{{created_at_text}}</td><td data-label="Last used">{{last_used_at_text}}</td>
        <td>{{#revoked_at}}revoked {{revoked_at_text}}{{/revoked_at}}{{^revoked_at}}<form method="post" action="/console/api-keys/{{id}}/revoke" class="inline" data-confirm="Revoke this key? Scripts using it stop at once."><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Revoke</button></form>{{/revoked_at}}</td></tr>{{/keys}}
        </tbody>
        </table>
        <section class="card">
        <h2>Make a key</h2>
        <form method="post" action="/console/api-keys" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <label>Label <input name="label" maxlength="100"></label>
        <label>Role <select name="role">{{#grantable}}<option>{{.}}</option>{{/grantable}}</select></label>
        <button type="submit">Make the key</button>
        </form>
        </section>
        {{/content}}
        {{/layout}}
        """
}
