/// Messages with their player, and mailboxes with their settings and greetings.
enum MessageTemplates {
    static let messages = """
        {{<layout}}
        {{$title}}Messages{{/title}}
        {{$content}}
        <h1>Messages</h1>
        {{^mailboxes}}<p>There is no mailbox yet. A technician makes one with <code>hushbox mailbox create</code>.</p>{{/mailboxes}}
        {{#choose}}
        <form method="get" action="/console/messages" class="inline">
        <label>Mailbox <select name="mailbox">{{#mailboxes}}<option value="{{id}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/mailboxes}}</select></label>
        <button type="submit">Show</button>
        </form>
        {{/choose}}
        {{#mailbox}}<p class="hint">{{label}}: {{count}} shown{{#more}}, more on the next page{{/more}}.</p>{{/mailbox}}
        <ul class="messages">
        {{#messages}}
        <li class="message{{^heard}} new{{/heard}}" id="message-{{id}}">
        <div class="meta"><strong>{{created_at_text}}</strong> · {{length}}{{#caller}} · from {{caller}}{{/caller}}{{^caller}} · number withheld{{/caller}}{{^heard}} · <span class="badge">new</span>{{/heard}}{{#cut_off}} · cut off{{/cut_off}}{{#forwarded_because}} · forwarded ({{forwarded_because}}){{/forwarded_because}}</div>
        <audio controls preload="none" data-message="{{id}}">
        <source src="/console/messages/{{id}}/audio?format=opus" type="audio/ogg; codecs=opus">
        <source src="/console/messages/{{id}}/audio?format=wav" type="audio/wav">
        </audio>
        <div class="actions">
        <a href="/console/messages/{{id}}/audio?format=opus&amp;download=1" download>Download .opus</a>
        <a href="/console/messages/{{id}}/audio?format=wav&amp;download=1" download>Download .wav</a>
        {{#may_delete}}{{^heard}}<form method="post" action="/console/messages/{{id}}/heard" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="mailbox" value="{{mailbox_id}}"><button type="submit">Mark heard</button></form>{{/heard}}{{/may_delete}}
        {{#may_delete}}<form method="post" action="/console/messages/{{id}}/delete" class="inline" data-confirm="Delete this message? It cannot be brought back."><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="mailbox" value="{{mailbox_id}}"><button type="submit" class="danger">Delete</button></form>{{/may_delete}}
        </div>
        </li>
        {{/messages}}
        </ul>
        {{#mailbox}}{{#empty}}<p>No messages.</p>{{/empty}}{{/mailbox}}
        {{#next}}<p><a href="{{next}}" rel="next">Older messages</a></p>{{/next}}
        {{/content}}
        {{/layout}}
        """

    static let mailboxes = """
        {{<layout}}
        {{$title}}Mailboxes{{/title}}
        {{$content}}
        <h1>Mailboxes</h1>
        {{^mailboxes}}<p>There is no mailbox yet. A technician makes one with <code>hushbox mailbox create</code>.</p>{{/mailboxes}}
        {{#mailboxes}}
        <section class="card" id="mailbox-{{id}}">
        <h2>{{label}}</h2>
        {{#may_configure}}
        <form method="post" action="/console/mailboxes/{{id}}/settings" class="stacked">
        <input type="hidden" name="csrf" value="{{csrf}}">
        {{#personal}}
        <label>Name <input name="display_name" value="{{display_name}}" maxlength="100"></label>
        <label>Number <input name="number" value="{{number}}" inputmode="tel" maxlength="40"></label>
        {{/personal}}
        <label>SIP user <input name="sip_user" value="{{sip_user}}" maxlength="64"></label>
        <label>Language <input name="language" value="{{language}}" maxlength="5" required></label>
        <label>Longest message (seconds) <input type="number" name="max_message_seconds" value="{{max_message_seconds}}" min="5" max="3600" required></label>
        <label>Messages kept at most <input type="number" name="max_messages" value="{{max_messages}}" min="1" max="10000" required></label>
        <label class="check"><input type="checkbox" name="recording_enabled" value="true"{{#recording_enabled}} checked{{/recording_enabled}}> Callers may leave a message</label>
        <label class="check"><input type="checkbox" name="consent_required" value="true"{{#consent_required}} checked{{/consent_required}}> Ask callers to press 1 before recording</label>
        <button type="submit">Save settings</button>
        </form>
        {{/may_configure}}
        {{^may_configure}}<p>Language {{language}} · messages up to {{max_message_seconds}} s · at most {{max_messages}} kept · recording {{#recording_enabled}}on{{/recording_enabled}}{{^recording_enabled}}off{{/recording_enabled}}</p>{{/may_configure}}
        <h3>Greetings</h3>
        <p class="hint">Upload WAV, AIFF, FLAC, Ogg or MP3, 1 to 120 seconds; the box converts it. Without its own, a mailbox plays the built-in greeting.</p>
        <ul class="greetings">
        {{#greetings}}
        <li>
        <strong>{{purpose}}</strong>
        <audio controls preload="none" src="/console/mailboxes/{{mailbox_id}}/greetings/{{purpose}}" aria-label="The mailbox's own {{purpose}} greeting (it does not play when the mailbox uses the built-in one)"></audio>
        {{#may_configure}}
        <form class="upload" data-upload="/console/mailboxes/{{mailbox_id}}/greetings/{{purpose}}">
        <input type="hidden" name="csrf" value="{{csrf}}">
        <input type="file" name="audio" accept="audio/*" required aria-label="Greeting file for {{purpose}}">
        <button type="submit">Upload</button>
        <output></output>
        </form>
        <form method="post" action="/console/mailboxes/{{mailbox_id}}/greetings/{{purpose}}/delete" class="inline">
        <input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Use the built-in one</button>
        </form>
        {{/may_configure}}
        </li>
        {{/greetings}}
        </ul>
        </section>
        {{/mailboxes}}
        {{/content}}
        {{/layout}}
        """
}
