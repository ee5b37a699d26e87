# Poshta — 简体中文

app-title = Poshta
app-title-folder = { $folder } — Poshta

## 账户和文件夹
account-local = 本地文件夹
folder-inbox = 收件箱
folder-all-inboxes = 所有收件箱
folder-sent = 已发送
folder-drafts = 草稿
folder-trash = 已删除
folder-junk = 垃圾邮件
folder-archive = 归档
folder-outbox = 发件箱
folder-unread = { $count }

## 文件夹操作
folder-new = 新建文件夹
folder-new-sub = 新建子文件夹
folder-rename = 重命名
folder-delete = 删除
folder-name-placeholder = 文件夹名称
folder-create-confirm = 创建
folder-rename-confirm = 重命名
folder-delete-confirm = 要删除“{ $name }”吗？其中的邮件将移至“已删除”。
folder-delete-forever-confirm = 要永久删除“{ $name }”及其中的邮件吗？
action-cancel = 取消
action-import = 导入…
action-get-messages = 收取邮件
password-prompt = { $account } 的密码
password-placeholder = 密码
password-connect = 连接
password-remember = 保存在系统密钥环中
sync-connecting = { $account }：正在连接…
sync-progress = { $account }：{ $folder }（第 { $index } 个，共 { $count } 个），新邮件 { $fetched } / { $total }
sync-progress-bodies = { $account }：{ $folder }（第 { $index } 个，共 { $count } 个），已下载 { $fetched } / { $total } 封邮件供离线阅读
sync-indexing = { $account }：正在准备搜索，新邮件 { $done } / { $total }
sync-downloading = { $account }：正在下载新邮件 { $fetched } / { $total }（{ $done } / { $size } MB）
import-dialog-title = 导入邮件
import-filter = 邮件文件
import-progress = 正在导入… { $count } 封邮件
import-done = 已导入 { $imported } 封邮件（{ $duplicates } 封已存在，{ $failed } 封无法读取）

## 邮件列表
list-empty = 此文件夹中没有邮件
list-no-folder = 请选择一个文件夹
list-count = { $count ->
   *[other] { $count } 封邮件
}
list-unread-mark = 未读
list-flagged-mark = 已标记
list-attachment-mark = 含附件
list-no-subject = （无主题）
list-today = 今天
list-yesterday = 昨天

## 阅读窗格
reader-empty = 选择一封邮件以阅读
reader-from = 发件人
reader-to = 收件人
reader-cc = 抄送
reader-date = 日期
reader-subject = 主题
reader-attachments = 附件
reader-loading = 正在加载…
reader-mark-unread = 标记为未读
reader-flag = 标记
reader-unflag = 取消标记

## 状态
status-ready = 就绪

## 错误
error-storage = 无法读取或写入邮件存储。
error-io = 无法读取或写入文件。
error-not-found = 该项目已不存在。
error-invalid-name = 不允许使用此名称：请使用字母、数字和空格，不能包含“/”。
error-name-taken = 此处已存在同名文件夹。
error-protected-folder = “收件箱”“草稿”“已发送”和“已删除”文件夹不能重命名或删除。
error-protected-account = 无法删除本地文件夹。
error-unreadable-message = 无法读取此邮件。
error-too-large = 邮件过大。
error-invalid-settings = 账户设置不完整或无效。
error-network = 无法连接服务器，或连接已中断。
error-certificate = 无法验证服务器的证书，因此未向其发送任何内容。
error-certificate-changed = 服务器的证书自您接受后已更改，因此未向其发送任何内容。只有在您知道更改原因时才接受新证书。
error-authentication = 服务器不接受该用户名或密码。
error-insecure-server = 服务器拒绝加密连接，因此 Poshta 没有发送您的密码。
error-password-needed = 请输入此账户的密码。
error-not-confirmed = 未确认：没有做任何更改。
error-import-target = 邮件只能导入到本地文件夹。
error-cross-account = 这些邮件尚未完整下载，暂时无法移到其他账户。
error-server-refused = 邮件服务器拒绝了此更改。
error-offline = 此操作需要连接邮件服务器，但该账户处于离线状态。
error-keyring = 无法访问系统密钥环，因此密码只保留到 Poshta 关闭为止。
error-invalid-message = 无法发送此邮件：请检查收件人和主题。
error-file-exists = 文件夹中已有同名文件；未替换任何内容。
error-unsafe-link = 只会打开网页（http、https）和邮件（mailto）链接。
error-internal = Poshta 内部发生错误。
error-startup = Poshta 无法打开位于 { $path } 的邮件存储。

## Folder context menu
menu-new-subfolder = 新建子文件夹…
menu-rename = 重命名…
menu-delete = 删除文件夹…
menu-subscribe = 订阅
menu-unsubscribe = 取消订阅
menu-mark-read = 全部标为已读
menu-empty = 清空…
menu-sync-now = 立即同步
menu-server-copies = 服务器上的邮件…
server-copies-prompt = { $account }：邮件下载到本机后，服务器上的副本：
server-copies-always = 保留
server-copies-days = 若干天后删除
server-copies-days-placeholder = 天数
server-copies-until-deleted = 在本机彻底删除后删除
server-copies-not-at-all = 立即删除
server-copies-save = 保存
check-every-label = 检查新邮件的间隔（分钟）：
check-every-placeholder = 分钟
server-copies-saved = { $account }：设置已保存，下次检查时生效。

## Message actions
action-delete = 删除
action-undo = 撤销
messages-moved = 已将 { $count } 封邮件移至“{ $folder }”。
messages-copied = 已将 { $count } 封邮件复制到“{ $folder }”。
messages-trashed = 已将 { $count } 封邮件移至废纸篓。
messages-deleted = 已永久删除 { $count } 封邮件。
messages-restored = 已恢复 { $count } 封邮件。
messages-marked-read = 已将 { $count } 封邮件标为已读。
messages-delete-forever-confirm = 永久删除这 { $count } 封邮件？此操作无法撤销。
folder-empty-confirm = 永久删除“{ $name }”中的全部 { $count } 封邮件？
folder-empty-confirm-action = 清空
drag-hint = 拖放到文件夹上即可移动 { $count } 封邮件。
folder-subscribed = 已订阅“{ $name }”。
folder-unsubscribed = 已取消订阅“{ $name }”。

## Connections
action-work-offline = 离线工作
action-go-online = 联机
account-online = { $account }：已是最新；新邮件到达后即时显示。
account-polling = { $account }：已是最新；每隔几分钟检查一次新邮件。
account-offline = { $account } 处于离线状态。
account-retry = { $account }：{ $reason } 将在 { $seconds } 秒后重试。
account-error = { $account }：{ $reason }
account-state-online = 在线
account-state-connecting = 正在连接…
account-state-syncing = 正在同步 { $index }/{ $count }
account-state-indexing = 正在索引
account-state-downloading = 正在下载
account-state-offline = 离线
account-state-error = 错误
notify-new-mail-title = 新邮件 — { $account }
notify-new-mail = 收件箱中有 { $count } 封新邮件。

# The composer
action-write = 写邮件
compose-from = 发件人
compose-to = 收件人
compose-to-placeholder = 姓名 <地址>, another@example.com
compose-cc = 抄送
compose-bcc = 密送
compose-subject = 主题
compose-body-placeholder = 在此撰写邮件。按 Ctrl+Enter 发送。
compose-send = 发送
compose-attach = 添加附件…
compose-attach-title = 添加附件
compose-close = 关闭
compose-remove = 移除
compose-large = 附件共 { $size }；许多服务器会拒收这么大的邮件。
compose-too-large = 发送时这些附件约为 { $size }；此账户的服务器最多接受 { $limit }。
compose-discard-question = 要丢弃这封邮件吗？
compose-discard = 丢弃
compose-keep-writing = 继续撰写
compose-sending = 正在发送…
compose-sent = 邮件已发送。
compose-refused = 服务器拒收了这封邮件：{ $reason }
compose-unknown = 邮件已完整交给服务器后连接中断，因此它可能已经发出。邮件保留在发件箱中，除非您要求，否则不会再次发送。
compose-waiting = 邮件已放入发件箱，账户联网后即发送。{ $reason }
compose-no-sender = 还没有可以发信的账户：账户需要一个外发（SMTP）服务器。
reader-reply = 回复
reader-reply-all = 全部回复
reader-forward = 转发
reader-forward-attached = 作为附件转发
compose-wrote = { $sender } 于 { $date } 写道：
compose-forwarded =
    -------- 转发的邮件 --------
    发件人：{ $sender }
    日期：{ $date }
    主题：{ $subject }
compose-save-draft = 存为草稿
compose-draft-kept = 邮件已保留，下次启动 Poshta 时会再次打开。
compose-draft-saved = 草稿已保存。
compose-recovered = 已恢复您正在撰写的邮件。

## 发件箱：尚未发出的邮件
outbox-title = 发件箱
outbox-entry = 发件箱（{ $count }）
outbox-empty = 没有等待发送的邮件。
outbox-to = 收件人：{ $to }
outbox-waiting = 等待发送（账户联网后发送）。
outbox-submitting = 正在发送。
outbox-failed = 服务器拒收：{ $reason }
outbox-unknown = 可能已发出：整封邮件发出后连接中断。仅在对方未收到时再发送。
outbox-send-again = 重新发送
outbox-delete = 丢弃

## Account setup
action-edit-account = 账户设置…
setup-edit-intro = 修改账户，保存前再测试一次。
setup-password-keep = 留空则保留当前密码
setup-saved = 账户设置已保存。
action-add-account = 添加账户…
setup-title = 添加邮件账户
setup-edit-title = 账户设置
setup-step-address = 地址
setup-step-servers = 服务器
setup-step-check = 检查
setup-intro = Poshta 会查找您的邮件服务商的设置，并在连接之前先给您过目。
setup-name = 您的姓名
setup-name-placeholder = 他人看到的名字，例如 李华
setup-email = 电子邮件地址
setup-email-placeholder = you@example.com
setup-password = 密码
setup-remember = 在系统密钥环中记住密码
setup-cancel = 取消
setup-manual = 手动设置
setup-continue = 继续
setup-discovering = 正在查找 { $address } 的设置…
setup-testing = 正在连接服务器并登录…
setup-manual-intro = 请输入邮件服务商提供的服务器。
setup-found-provider = 在 Poshta 的服务商列表中找到：{ $provider }。
setup-found-autoconfig = 在您的服务商公布的设置中找到。
setup-found-srv = 在您域名的 DNS 记录中找到。
setup-found-mx = 您域名的邮件由 { $provider } 处理；显示的是它的设置。
setup-found-guess = 根据常见的服务器名称推测。请向服务商核实。
setup-found-nothing = 没有找到设置。请输入邮件服务商提供的服务器。
setup-problem-too-large = 服务商公布的设置过大，不可能是真的，已忽略。
setup-problem-malformed = 无法读取服务商公布的设置，已忽略。
setup-problem-insecure = 服务商公布的设置只提供未加密的连接，已忽略。
setup-receive-with = 收信方式
setup-imap-explained = IMAP：邮件和文件夹保存在服务器上，在您的所有设备上保持同步。
setup-pop3-explained = POP3：邮件下载到这台电脑；文件夹只存在于本机。
setup-both-offered = 您的服务商两种都提供。
setup-incoming-imap = 收信服务器 (IMAP)
setup-incoming-pop3 = 收信服务器 (POP3)
setup-outgoing = 发信服务器 (SMTP)
setup-host = 服务器
setup-port = 端口
setup-security = 安全
setup-security-tls = SSL/TLS
setup-security-starttls = STARTTLS
setup-security-none = 无
setup-username = 用户名
setup-insecure-warning = 不加密时，您的密码和邮件在传输途中可能被他人读取。
setup-nothing-sent-yet = 在您按下“测试”之前，不会向这些服务器发送任何内容。
setup-back = 返回
setup-test = 测试
setup-change-settings = 修改设置
setup-test-again = 再次测试
setup-finish = 完成
setup-logged-in = 已连接并登录。
setup-certificate-refused = 证书未被信任，因此 Poshta 没有连接。请检查服务器名称，或询问您的服务商。
setup-bad-address = 请输入完整的电子邮件地址，例如 name@example.com。
setup-no-password = 请输入该地址的密码。
setup-incomplete-incoming = 请输入收信服务器的名称、端口和用户名。
setup-incomplete-outgoing = 请输入发信服务器的名称、端口和用户名，或将名称留空。
setup-added = 账户已添加。
setup-added-no-keyring = 账户已添加。无法访问系统密钥环，因此密码只保留到 Poshta 关闭，下次会再次询问。

## A server certificate that failed verification
certificate-title = 无法验证 { $server } 的证书
certificate-expired = 证书已过期。
certificate-not-yet-valid = 证书尚未生效（或这台电脑的时钟不准）。
certificate-wrong-host = 证书是为另一个服务器名称签发的。
certificate-unknown-issuer = 证书不是由这台电脑信任的机构签发的。
certificate-self-signed = 证书是自签名的：没有机构为它担保。
certificate-changed = 这不是您之前为该服务器信任的证书。它可能已更新，也可能有人在拦截连接。
certificate-other = 证书被拒绝：{ $detail }
certificate-unknown-field = （无法读取）
certificate-subject = 颁发给
certificate-issuer = 颁发者
certificate-valid-from = 生效时间
certificate-valid-until = 到期时间
certificate-fingerprint = SHA-256
certificate-advice = 只有在您预料到这种情况时才信任它，例如这是您自己的服务器，并且指纹与服务商提供的一致。
certificate-advice-changed = 只有在服务商确认了更换并且指纹一致时，才信任新证书。
certificate-cancel = 不信任
certificate-trust = 为 { $server } 信任此证书

## 阅读：渲染后的邮件、附件、链接、会话
reader-no-text = 此邮件没有可显示的文本。
reader-reply-to = 回复至
reader-all-headers = 全部邮件头
reader-fewer-headers = 精简邮件头
reader-source = 查看源码
reader-source-title = 邮件原文
reader-source-close = 关闭源码
reader-blocked = { $count ->
   *[other] 已阻止远程内容：{ $count } 项。Poshta 显示邮件时从不从网络加载任何内容。
}
reader-blocked-show = 显示地址
reader-blocked-hide = 隐藏地址
reader-back = ← 返回
reader-attached-message = 附带的邮件
reader-conversation = { $count ->
   *[other] 会话 · { $count } 封邮件
}
link-ask = 此链接指向 { $host }。要在浏览器中打开吗？
link-open = 打开链接
link-copy = 复制地址
link-copied = 已复制链接地址
attachments-count = { $count ->
   *[other] { $count } 个附件
}
attachments-save-all = 全部保存…
attachment-open = 打开
attachment-save = 保存…
attachment-risky = “{ $name }”是程序或脚本。打开它可能在此计算机上运行代码。仅当你预期此发件人会发送它时才打开。
attachment-open-anyway = 仍然打开
attachment-exists = 已存在名为“{ $name }”的文件。未替换任何内容。
attachment-save-as = 另存为“{ $name }”
attachment-saved = 已保存到 { $path }
attachments-saved = { $count ->
   *[other] 已将 { $count } 个附件保存到 { $dir }
}
attachment-opened = 已打开 { $name }
search-placeholder = 搜索（from:、subject:、has:attachment）
search-scope-folder = 此文件夹
search-scope-account = 此账户
search-scope-all = 所有账户
search-clear = 清除搜索
search-nothing = 未找到
search-from-server = 服务器
search-found = { $count ->
   *[other] 找到 { $count } 封
}
search-summary-local = 本地：{ $count } 封邮件
search-summary-server = 服务器：{ $folders }
search-summary-failed = { $folder }：未搜索（{ $reason }）
sort-date = 日期
sort-sender = 发件人
sort-subject = 主题
sort-size = 大小
filter-unread = 仅未读邮件
filter-flagged = 仅已标记邮件
filter-attachments = 仅含附件的邮件
list-threads = 按会话分组
reader-truncated = 此邮件太长，无法完整显示；其余部分已省略。
event-invitation = 邀请
event-cancelled = 已取消的活动
event-reply = 邀请回复
event-when = 时间
event-where = 地点
event-organizer = 组织者
