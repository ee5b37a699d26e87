# Poshta — English (source language)

app-title = Poshta
app-title-folder = { $folder } — Poshta

## Accounts and folders
account-local = Local Folders
folder-inbox = Inbox
folder-all-inboxes = All Inboxes
folder-sent = Sent
folder-drafts = Drafts
folder-trash = Trash
folder-junk = Junk
folder-archive = Archive
folder-outbox = Outbox
folder-unread = { $count }

## Folder actions
folder-new = New folder
folder-new-sub = New subfolder
folder-rename = Rename
folder-delete = Delete
folder-name-placeholder = Folder name
folder-create-confirm = Create
folder-rename-confirm = Rename
folder-delete-confirm = Delete “{ $name }”? Its messages move to Trash.
folder-delete-forever-confirm = Delete “{ $name }” and its messages for good?
action-cancel = Cancel
action-import = Import…
action-get-messages = Get messages
password-prompt = Password for { $account }
password-placeholder = Password
password-connect = Connect
password-remember = Remember in the system keyring
sync-connecting = { $account }: connecting…
sync-progress = { $account }: { $folder } ({ $index } of { $count }), { $fetched } of { $total } new
sync-progress-bodies = { $account }: { $folder } ({ $index } of { $count }), { $fetched } of { $total } messages downloaded for offline use
sync-indexing = { $account }: preparing search, { $done } of { $total } new messages
sync-downloading = { $account }: downloading { $fetched } of { $total } new messages ({ $done } of { $size } MB)
import-dialog-title = Import messages
import-filter = Mail files
import-progress = Importing… { $count } messages
import-done = Imported { $imported } messages ({ $duplicates } already present, { $failed } unreadable)

## Message list
list-empty = No messages in this folder
list-no-folder = Select a folder
list-count = { $count ->
    [one] { $count } message
   *[other] { $count } messages
}
list-unread-mark = Unread
list-flagged-mark = Flagged
list-attachment-mark = Has attachments
list-no-subject = (no subject)
list-today = Today
list-yesterday = Yesterday

## Reader
reader-empty = Select a message to read it
reader-from = From
reader-to = To
reader-cc = Cc
reader-date = Date
reader-subject = Subject
reader-attachments = Attachments
reader-loading = Loading…
reader-mark-unread = Mark unread
reader-flag = Flag
reader-unflag = Unflag

## Status
status-ready = Ready

## Errors
error-storage = The mail store could not be read or written.
error-io = A file could not be read or written.
error-not-found = It no longer exists.
error-invalid-name = That name is not allowed: use letters, digits and spaces, without “/”.
error-name-taken = A folder with that name already exists here.
error-protected-folder = Inbox, Drafts, Sent and Trash cannot be renamed or deleted.
error-protected-account = Local Folders cannot be removed.
error-unreadable-message = This message could not be read.
error-too-large = The message is too large.
error-invalid-settings = These account settings are incomplete or invalid.
error-network = The server could not be reached or broke off the connection.
error-certificate = The server’s certificate could not be verified, so nothing was sent to it.
error-certificate-changed = The server’s certificate has changed since you accepted it, so nothing was sent to it. Accept the new one only if you know why it changed.
error-authentication = The server did not accept the user name or password.
error-insecure-server = The server would not secure the connection, so Poshta did not send your password.
error-password-needed = Enter the password for this account.
error-not-confirmed = Not confirmed: nothing was changed.
error-import-target = Mail can only be imported into Local Folders.
error-cross-account = These messages are not fully downloaded yet, so they cannot go to another account.
error-server-refused = The mail server refused the change.
error-offline = This needs a connection to the mail server; the account is offline.
error-keyring = The system keyring could not be reached, so the password is kept only until Poshta closes.
error-invalid-message = This message cannot be sent: check its recipients and subject.
error-file-exists = A file with that name is already in the folder; nothing was replaced.
error-unsafe-link = Only web (http, https) and mail (mailto) links are opened.
error-internal = Something went wrong inside Poshta.
error-startup = Poshta could not open its mail store at { $path }.

## Folder context menu
menu-new-subfolder = New subfolder…
menu-rename = Rename…
menu-delete = Delete folder…
menu-subscribe = Subscribe
menu-unsubscribe = Unsubscribe
menu-mark-read = Mark all as read
menu-empty = Empty…
menu-sync-now = Sync now
menu-server-copies = Mail on the server…
server-copies-prompt = { $account }: once a message is on this computer, the copy on the server is:
server-copies-always = left there
server-copies-days = deleted after some days
server-copies-days-placeholder = days
server-copies-until-deleted = deleted once I delete it here for good
server-copies-not-at-all = deleted at once
server-copies-save = Save
check-every-label = Check for new mail every (minutes):
check-every-placeholder = minutes
server-copies-saved = { $account }: setting saved; it applies from the next check.

## Message actions
action-delete = Delete
action-undo = Undo
messages-moved = { $count ->
    [one] One message moved to “{ $folder }”.
   *[other] { $count } messages moved to “{ $folder }”.
}
messages-copied = { $count ->
    [one] One message copied to “{ $folder }”.
   *[other] { $count } messages copied to “{ $folder }”.
}
messages-trashed = { $count ->
    [one] One message moved to Trash.
   *[other] { $count } messages moved to Trash.
}
messages-deleted = { $count ->
    [one] One message deleted for good.
   *[other] { $count } messages deleted for good.
}
messages-restored = { $count ->
    [one] One message put back.
   *[other] { $count } messages put back.
}
messages-marked-read = { $count ->
    [one] One message marked as read.
   *[other] { $count } messages marked as read.
}
messages-delete-forever-confirm = { $count ->
    [one] Delete this message for good? This cannot be undone.
   *[other] Delete these { $count } messages for good? This cannot be undone.
}
folder-empty-confirm = Delete all { $count } messages in “{ $name }” for good?
folder-empty-confirm-action = Empty
drag-hint = { $count ->
    [one] Drop on a folder to move the message there.
   *[other] Drop on a folder to move { $count } messages there.
}
folder-subscribed = Subscribed to “{ $name }”.
folder-unsubscribed = Unsubscribed from “{ $name }”.

## Connections
action-work-offline = Work offline
action-go-online = Go online
account-online = { $account }: up to date; new mail arrives as it comes.
account-polling = { $account }: up to date; checking for new mail every few minutes.
account-offline = { $account } is offline.
account-retry = { $account }: { $reason } Trying again in { $seconds } s.
account-error = { $account }: { $reason }
account-state-online = online
account-state-connecting = connecting…
account-state-syncing = syncing { $index }/{ $count }
account-state-indexing = indexing
account-state-downloading = downloading
account-state-offline = offline
account-state-error = error
notify-new-mail-title = New mail — { $account }
notify-new-mail = { $count ->
    [one] One new message in Inbox.
   *[other] { $count } new messages in Inbox.
}

# The composer
action-write = Write
compose-from = From
compose-to = To
compose-to-placeholder = Name <address>, another@example.com
compose-cc = Cc
compose-bcc = Bcc
compose-subject = Subject
compose-body-placeholder = Write your message. Ctrl+Enter sends it.
compose-send = Send
compose-attach = Attach…
compose-attach-title = Attach files
compose-close = Close
compose-remove = Remove
compose-large = These attachments come to { $size }; many servers refuse messages this large.
compose-too-large = Sent, these attachments come to about { $size }; this account's server takes at most { $limit }.
compose-discard-question = Throw this message away?
compose-discard = Discard
compose-keep-writing = Keep writing
compose-sending = Sending…
compose-sent = Message sent.
compose-refused = The server refused the message: { $reason }
compose-unknown = The connection was lost after the message was handed over, so it may have been sent. It stays in the outbox and is not sent again unless you ask.
compose-waiting = The message is in the outbox and goes when the account is online. { $reason }
compose-no-sender = No account can send mail yet: an account needs an outgoing (SMTP) server.
reader-reply = Reply
reader-reply-all = Reply all
reader-forward = Forward
reader-forward-attached = Forward as attachment
compose-wrote = On { $date }, { $sender } wrote:
compose-forwarded =
    -------- Forwarded message --------
    From: { $sender }
    Date: { $date }
    Subject: { $subject }
compose-save-draft = Save as draft
compose-draft-kept = The message was kept; it opens again the next time Poshta starts.
compose-draft-saved = Draft saved.
compose-recovered = A message you were writing was recovered.

## Outbox: what has not gone yet
outbox-title = Outbox
outbox-entry = Outbox ({ $count })
outbox-empty = Nothing is waiting to be sent.
outbox-to = To: { $to }
outbox-waiting = Waiting to be sent (when the account is online).
outbox-submitting = Being sent now.
outbox-failed = Refused by the server: { $reason }
outbox-unknown = Perhaps sent: the connection was lost after the whole message went. Send it again only if it did not arrive.
outbox-send-again = Send again
outbox-delete = Discard

## Account setup
action-edit-account = Account settings…
setup-edit-intro = Change the account and test it again before it is saved.
setup-password-keep = Leave empty to keep the current password
setup-saved = The account settings were saved.
action-add-account = Add account…
setup-title = Add a mail account
setup-edit-title = Account settings
setup-step-address = Address
setup-step-servers = Servers
setup-step-check = Check
setup-intro = Poshta looks up your provider's settings and shows them to you before connecting.
setup-name = Your name
setup-name-placeholder = As others see it, e.g. Aigerim Bekova
setup-email = E-mail address
setup-email-placeholder = you@example.com
setup-password = Password
setup-remember = Remember the password in the system keyring
setup-cancel = Cancel
setup-manual = Set up by hand
setup-continue = Continue
setup-discovering = Looking up the settings for { $address }…
setup-testing = Connecting to the servers and logging in…
setup-manual-intro = Enter the servers your provider gave you.
setup-found-provider = Found in Poshta's list of providers: { $provider }.
setup-found-autoconfig = Found in the settings your provider publishes.
setup-found-srv = Found in your domain's DNS records.
setup-found-mx = Your domain's mail is handled by { $provider }; its settings are shown.
setup-found-guess = Guessed from common server names. Check them with your provider.
setup-found-nothing = No settings were found. Enter the servers your provider gave you.
setup-problem-too-large = Your provider's published settings were too large to be real and were ignored.
setup-problem-malformed = Your provider's published settings could not be read and were ignored.
setup-problem-insecure = Your provider's published settings offered only unencrypted connections and were ignored.
setup-receive-with = Receive mail with
setup-imap-explained = IMAP: mail and folders stay on the server, in step on all your devices.
setup-pop3-explained = POP3: mail is downloaded to this computer; folders exist only here.
setup-both-offered = Your provider offers both.
setup-incoming-imap = Incoming mail (IMAP)
setup-incoming-pop3 = Incoming mail (POP3)
setup-outgoing = Outgoing mail (SMTP)
setup-host = Server
setup-port = Port
setup-security = Security
setup-security-tls = SSL/TLS
setup-security-starttls = STARTTLS
setup-security-none = None
setup-username = User name
setup-insecure-warning = Without encryption your password and mail can be read on the way.
setup-nothing-sent-yet = Nothing is sent to these servers until you press Test.
setup-back = Back
setup-test = Test
setup-change-settings = Change settings
setup-test-again = Test again
setup-finish = Finish
setup-logged-in = Connected and logged in.
setup-certificate-refused = The certificate was not trusted, so Poshta did not connect. Check the server name, or ask your provider.
setup-bad-address = Enter a whole e-mail address, like name@example.com.
setup-no-password = Enter the password of this address.
setup-incomplete-incoming = Enter the incoming server's name, port and user name.
setup-incomplete-outgoing = Enter the outgoing server's name, port and user name, or leave its name empty.
setup-added = The account was added.
setup-added-no-keyring = The account was added. The system keyring could not be reached, so the password is kept only until Poshta closes and will be asked for next time.

## A server certificate that failed verification
certificate-title = The certificate of { $server } could not be verified
certificate-expired = It has expired.
certificate-not-yet-valid = It is not valid yet (or this computer's clock is wrong).
certificate-wrong-host = It was issued for a different server name.
certificate-unknown-issuer = It was not issued by an authority this computer trusts.
certificate-self-signed = It is self-signed: no authority vouches for it.
certificate-changed = It is not the certificate you trusted for this server before. It may have been renewed, or someone may be intercepting the connection.
certificate-other = It was refused: { $detail }
certificate-unknown-field = (not readable)
certificate-subject = Issued to
certificate-issuer = Issued by
certificate-valid-from = Valid from
certificate-valid-until = Valid until
certificate-fingerprint = SHA-256
certificate-advice = Trust it only if you expected this, for example your own server, and the fingerprint matches the one your provider gives.
certificate-advice-changed = Trust the new certificate only if your provider confirms the change and the fingerprint matches.
certificate-cancel = Don't trust
certificate-trust = Trust this certificate for { $server }

## Reading: the rendered message, its attachments, links, conversations
reader-no-text = This message has no text to show.
reader-reply-to = Reply to
reader-all-headers = All headers
reader-fewer-headers = Fewer headers
reader-source = View source
reader-source-title = The message as it arrived
reader-source-close = Close source
reader-blocked = { $count ->
    [one] Remote content blocked: 1 item. Poshta never loads anything from the network to show a message.
   *[other] Remote content blocked: { $count } items. Poshta never loads anything from the network to show a message.
}
reader-blocked-show = Show addresses
reader-blocked-hide = Hide addresses
reader-back = ← Back
reader-attached-message = Attached message
reader-conversation = { $count ->
   *[other] Conversation · { $count } messages
}
link-ask = This link goes to { $host }. Open it in your browser?
link-open = Open link
link-copy = Copy address
link-copied = Link address copied
attachments-count = { $count ->
    [one] 1 attachment
   *[other] { $count } attachments
}
attachments-save-all = Save all…
attachment-open = Open
attachment-save = Save…
attachment-risky = “{ $name }” is a program or script. Opening it can run code on this computer. Open it only if you expected it from this sender.
attachment-open-anyway = Open anyway
attachment-exists = A file named “{ $name }” is already there. Nothing was replaced.
attachment-save-as = Save as “{ $name }”
attachment-saved = Saved to { $path }
attachments-saved = { $count ->
    [one] Saved 1 attachment in { $dir }
   *[other] Saved { $count } attachments in { $dir }
}
attachment-opened = Opened { $name }
search-placeholder = Search (from:, subject:, has:attachment)
search-scope-folder = This folder
search-scope-account = This account
search-scope-all = All accounts
search-clear = Clear search
search-nothing = Nothing found
search-from-server = server
search-found = { $count ->
    [one] 1 found
   *[other] { $count } found
}
search-summary-local = local: { $count } messages
search-summary-server = server: { $folders }
search-summary-failed = { $folder }: not searched ({ $reason })
sort-date = Date
sort-sender = Sender
sort-subject = Subject
sort-size = Size
filter-unread = Only unread messages
filter-flagged = Only flagged messages
filter-attachments = Only messages with attachments
list-threads = One row per conversation
reader-truncated = This message is too long to show whole; the rest is left out.
event-invitation = Invitation
event-cancelled = Cancelled event
event-reply = Answer to an invitation
event-when = When
event-where = Where
event-organizer = Organizer
