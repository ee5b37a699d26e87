# Poshta — қазақ тілі (Кириллица)

app-title = Poshta
app-title-folder = { $folder } — Poshta

## Тіркелгілер мен бумалар
account-local = Жергілікті бумалар
folder-inbox = Кіріс
folder-all-inboxes = Барлық кіріс
folder-sent = Жіберілген
folder-drafts = Черновиктер
folder-trash = Қоқыс шелегі
folder-junk = Спам
folder-archive = Архив
folder-outbox = Шығыс
folder-unread = { $count }

## Бума әрекеттері
folder-new = Жаңа бума
folder-new-sub = Жаңа ішкі бума
folder-rename = Атын өзгерту
folder-delete = Өшіру
folder-name-placeholder = Бума атауы
folder-create-confirm = Жасау
folder-rename-confirm = Атын өзгерту
folder-delete-confirm = «{ $name }» өшірілсін бе? Ондағы хаттар «Қоқыс шелегі» бумасына жылжытылады.
folder-delete-forever-confirm = «{ $name }» және ондағы хаттар біржола өшірілсін бе?
action-cancel = Бас тарту
action-import = Импорттау…
action-get-messages = Хаттарды алу
password-prompt = { $account } құпиясөзі
password-placeholder = Құпиясөз
password-connect = Қосылу
password-remember = Жүйелік кілттер қоймасында сақтау
sync-connecting = { $account }: қосылуда…
sync-progress = { $account }: { $folder } ({ $count } ішінен { $index }), жаңа { $total } ішінен { $fetched }
sync-progress-bodies = { $account }: { $folder } ({ $count } ішінен { $index }), офлайн оқу үшін { $total } хаттың { $fetched } жүктелді
sync-indexing = { $account }: іздеу дайындалуда, { $total } жаңа хаттың { $done }
sync-downloading = { $account }: { $total } жаңа хаттың { $fetched } жүктелуде ({ $size } МБ ішінен { $done } МБ)
import-dialog-title = Хаттарды импорттау
import-filter = Пошта файлдары
import-progress = Импортталуда… { $count } хат
import-done = { $imported } хат импортталды ({ $duplicates } хат бұрыннан бар, { $failed } хатты оқу мүмкін емес)

## Хаттар тізімі
list-empty = Бұл бумада хаттар жоқ
list-no-folder = Буманы таңдаңыз
list-count = { $count ->
   *[other] { $count } хат
}
list-unread-mark = Оқылмаған
list-flagged-mark = Белгіленген
list-attachment-mark = Салынымдары бар
list-no-subject = (тақырыбы жоқ)
list-today = Бүгін
list-yesterday = Кеше

## Хатты оқу аймағы
reader-empty = Оқу үшін хатты таңдаңыз
reader-from = Кімнен
reader-to = Кімге
reader-cc = Көшірме
reader-date = Күні
reader-subject = Тақырыбы
reader-attachments = Салынымдар
reader-loading = Жүктелуде…
reader-mark-unread = Оқылмаған деп белгілеу
reader-flag = Белгілеу
reader-unflag = Белгіні алып тастау

## Күйі
status-ready = Дайын

## Қателер
error-storage = Пошта қоймасын оқу немесе оған жазу мүмкін болмады.
error-io = Файлды оқу немесе оған жазу мүмкін болмады.
error-not-found = Ол енді жоқ.
error-invalid-name = Бұл атауға рұқсат етілмейді: әріптерді, цифрларды және бос орындарды пайдаланыңыз, «/» таңбасын қолданбаңыз.
error-name-taken = Мұнда осы атаулы бума бұрыннан бар.
error-protected-folder = «Кіріс», «Черновиктер», «Жіберілген» және «Қоқыс шелегі» бумаларының атын өзгертуге немесе оларды өшіруге болмайды.
error-protected-account = Жергілікті бумаларды жою мүмкін емес.
error-unreadable-message = Бұл хатты оқу мүмкін болмады.
error-too-large = Хат тым үлкен.
error-invalid-settings = Тіркелгі баптаулары толық емес немесе қате.
error-network = Серверге қосылу мүмкін болмады немесе байланыс үзілді.
error-certificate = Сервер сертификатын тексеру мүмкін болмады, сондықтан оған ештеңе жіберілмеді.
error-certificate-changed = Сервер сертификаты сіз оны қабылдағаннан бері өзгерді, сондықтан оған ештеңе жіберілмеді. Неліктен өзгергенін білсеңіз ғана жаңасын қабылдаңыз.
error-authentication = Сервер пайдаланушы атын немесе құпиясөзді қабылдамады.
error-insecure-server = Сервер байланысты қорғаудан бас тартты, сондықтан Poshta құпиясөзіңізді жібермеді.
error-password-needed = Осы тіркелгінің құпиясөзін енгізіңіз.
error-not-confirmed = Расталмады: ештеңе өзгертілмеді.
error-import-target = Хаттарды тек жергілікті бумаларға импорттауға болады.
error-cross-account = Бұл хаттар әлі толық жүктелмеген, сондықтан оларды басқа тіркелгіге жіберу мүмкін емес.
error-server-refused = Пошта сервері өзгерісті қабылдамады.
error-offline = Бұл үшін пошта серверіне қосылу керек; тіркелгі желіден тыс.
error-keyring = Жүйелік кілттер қоймасына қол жеткізу мүмкін болмады, сондықтан құпиясөз тек Poshta жабылғанға дейін сақталады.
error-invalid-message = Бұл хатты жіберу мүмкін емес: алушылар мен тақырыпты тексеріңіз.
error-file-exists = Бумада осы атаулы файл бұрыннан бар; ештеңе ауыстырылмады.
error-unsafe-link = Тек веб (http, https) және пошта (mailto) сілтемелері ашылады.
error-internal = Poshta ішінде қате орын алды.
error-startup = Poshta { $path } жолындағы пошта қоймасын аша алмады.

## Folder context menu
menu-new-subfolder = Жаңа ішкі бума…
menu-rename = Атын өзгерту…
menu-delete = Буманы жою…
menu-subscribe = Жазылу
menu-unsubscribe = Жазылудан бас тарту
menu-mark-read = Барлығын оқылған деп белгілеу
menu-empty = Тазалау…
menu-sync-now = Қазір синхрондау
menu-server-copies = Сервердегі хаттар…
server-copies-prompt = { $account }: хат осы компьютерге түскен соң, сервердегі көшірмесі:
server-copies-always = сонда қалады
server-copies-days = бірнеше күннен кейін жойылады
server-copies-days-placeholder = күн
server-copies-until-deleted = мен мұнда біржола жойғанда жойылады
server-copies-not-at-all = бірден жойылады
server-copies-save = Сақтау
check-every-label = Жаңа хаттарды тексеру аралығы (минут):
check-every-placeholder = минут
server-copies-saved = { $account }: баптау сақталды; келесі тексеруден бастап қолданылады.

## Message actions
action-delete = Жою
action-undo = Болдырмау
messages-moved = { $count } хат «{ $folder }» бумасына жылжытылды.
messages-copied = { $count } хат «{ $folder }» бумасына көшірілді.
messages-trashed = { $count } хат Себетке жылжытылды.
messages-deleted = { $count } хат біржола жойылды.
messages-restored = { $count } хат орнына қайтарылды.
messages-marked-read = { $count } хат оқылған деп белгіленді.
messages-delete-forever-confirm = { $count } хатты біржола жою керек пе? Мұны қайтару мүмкін емес.
folder-empty-confirm = «{ $name }» ішіндегі барлық { $count } хатты біржола жою керек пе?
folder-empty-confirm-action = Тазалау
drag-hint = { $count } хатты жылжыту үшін буманың үстіне тастаңыз.
folder-subscribed = «{ $name }» бумасына жазылдыңыз.
folder-unsubscribed = «{ $name }» бумасынан жазылу тоқтатылды.

## Connections
action-work-offline = Желіден тыс жұмыс
action-go-online = Желіге қосылу
account-online = { $account }: жаңартылған; жаңа хаттар келген сәтте пайда болады.
account-polling = { $account }: жаңартылған; жаңа хаттар бірнеше минут сайын тексеріледі.
account-offline = { $account } желіден тыс.
account-retry = { $account }: { $reason } { $seconds } с кейін қайта әрекет жасалады.
account-error = { $account }: { $reason }
account-state-online = желіде
account-state-connecting = қосылуда…
account-state-syncing = синхрондау { $index }/{ $count }
account-state-indexing = индекстеу
account-state-downloading = жүктелуде
account-state-offline = желіден тыс
account-state-error = қате
notify-new-mail-title = Жаңа хат — { $account }
notify-new-mail = Кіріс бумасында { $count } жаңа хат.

# The composer
action-write = Жазу
compose-from = Кімнен
compose-to = Кімге
compose-to-placeholder = Аты <мекенжай>, басқа@example.com
compose-cc = Көшірме
compose-bcc = Жасырын көшірме
compose-subject = Тақырып
compose-body-placeholder = Хатыңызды жазыңыз. Ctrl+Enter жібереді.
compose-send = Жіберу
compose-attach = Тіркеу…
compose-attach-title = Файлдарды тіркеу
compose-close = Жабу
compose-remove = Алып тастау
compose-large = Тіркемелер көлемі { $size }; көп сервер мұндай үлкен хаттарды қабылдамайды.
compose-too-large = Жіберілгенде тіркемелер шамамен { $size } болады; бұл есептік жазбаның сервері ең көбі { $limit } қабылдайды.
compose-discard-question = Бұл хатты жоясыз ба?
compose-discard = Жою
compose-keep-writing = Жазуды жалғастыру
compose-sending = Жіберілуде…
compose-sent = Хат жіберілді.
compose-refused = Сервер хатты қабылдамады: { $reason }
compose-unknown = Хат толық берілгеннен кейін байланыс үзілді, сондықтан ол жіберілген болуы мүмкін. Ол шығыс қалтасында қалады және сіз сұрамайынша қайта жіберілмейді.
compose-waiting = Хат шығыс қалтасында; тіркелгі желіге қосылғанда жіберіледі. { $reason }
compose-no-sender = Әзірге ешбір тіркелгі хат жібере алмайды: тіркелгіге шығыс (SMTP) сервері керек.
reader-reply = Жауап беру
reader-reply-all = Барлығына жауап
reader-forward = Қайта жіберу
reader-forward-attached = Тіркеме ретінде жіберу
compose-wrote = { $date } күні { $sender } жазды:
compose-forwarded =
    -------- Қайта жіберілген хат --------
    Кімнен: { $sender }
    Күні: { $date }
    Тақырып: { $subject }
compose-save-draft = Жоба ретінде сақтау
compose-draft-kept = Хат сақталды; Poshta келесі іске қосылғанда қайта ашылады.
compose-draft-saved = Жоба сақталды.
compose-recovered = Сіз жазып жатқан хат қалпына келтірілді.

## Шығыс жәшігі: әлі жіберілмегендер
outbox-title = Шығыс
outbox-entry = Шығыс ({ $count })
outbox-empty = Жіберуді күтіп тұрған хат жоқ.
outbox-to = Кімге: { $to }
outbox-waiting = Жіберуді күтуде (есептік жазба желіге қосылғанда).
outbox-submitting = Қазір жіберілуде.
outbox-failed = Сервер қабылдамады: { $reason }
outbox-unknown = Жіберілген болуы мүмкін: хат толық кеткеннен кейін байланыс үзілді. Хат жетпеген болса ғана қайта жіберіңіз.
outbox-send-again = Қайта жіберу
outbox-delete = Тастау

## Account setup
action-edit-account = Тіркелгі баптаулары…
setup-edit-intro = Тіркелгіні өзгертіп, сақтамас бұрын қайта тексеріңіз.
setup-password-keep = Қазіргі құпиясөзді қалдыру үшін бос қалдырыңыз
setup-saved = Тіркелгі баптаулары сақталды.
action-add-account = Тіркелгі қосу…
setup-title = Пошта тіркелгісін қосу
setup-edit-title = Тіркелгі баптаулары
setup-step-address = Мекенжай
setup-step-servers = Серверлер
setup-step-check = Тексеру
setup-intro = Poshta провайдеріңіздің баптауларын тауып, қосылмас бұрын сізге көрсетеді.
setup-name = Атыңыз
setup-name-placeholder = Басқаларға көрінетіні, мысалы Әйгерім Бекова
setup-email = Электрондық пошта мекенжайы
setup-email-placeholder = siz@example.com
setup-password = Құпиясөз
setup-remember = Құпиясөзді жүйенің кілттер қоймасында сақтау
setup-cancel = Бас тарту
setup-manual = Қолмен баптау
setup-continue = Жалғастыру
setup-discovering = { $address } үшін баптаулар ізделуде…
setup-testing = Серверлерге қосылып, кіру тексерілуде…
setup-manual-intro = Провайдеріңіз берген серверлерді енгізіңіз.
setup-found-provider = Poshta провайдерлер тізімінен табылды: { $provider }.
setup-found-autoconfig = Провайдеріңіз жариялаған баптаулардан табылды.
setup-found-srv = Доменіңіздің DNS жазбаларынан табылды.
setup-found-mx = Доменіңіздің поштасын { $provider } қызмет етеді; соның баптаулары көрсетілген.
setup-found-guess = Жиі кездесетін сервер аттарынан болжанды. Провайдеріңізден тексеріңіз.
setup-found-nothing = Баптаулар табылмады. Провайдеріңіз берген серверлерді енгізіңіз.
setup-problem-too-large = Провайдер жариялаған баптаулар тым үлкен болды, сондықтан ескерілмеді.
setup-problem-malformed = Провайдер жариялаған баптауларды оқу мүмкін болмады, сондықтан ескерілмеді.
setup-problem-insecure = Провайдер жариялаған баптаулар тек шифрланбаған қосылымды ұсынды, сондықтан ескерілмеді.
setup-receive-with = Поштаны қабылдау
setup-imap-explained = IMAP: хаттар мен қалталар серверде қалады, барлық құрылғыңызда бірдей.
setup-pop3-explained = POP3: хаттар осы компьютерге жүктеледі; қалталар тек осында болады.
setup-both-offered = Провайдеріңіз екеуін де ұсынады.
setup-incoming-imap = Кіріс пошта (IMAP)
setup-incoming-pop3 = Кіріс пошта (POP3)
setup-outgoing = Шығыс пошта (SMTP)
setup-host = Сервер
setup-port = Порт
setup-security = Қауіпсіздік
setup-security-tls = SSL/TLS
setup-security-starttls = STARTTLS
setup-security-none = Жоқ
setup-username = Пайдаланушы аты
setup-insecure-warning = Шифрлаусыз құпиясөзіңіз бен хаттарыңызды жолда оқуға болады.
setup-nothing-sent-yet = «Тексеру» батырмасын баспайынша бұл серверлерге ештеңе жіберілмейді.
setup-back = Артқа
setup-test = Тексеру
setup-change-settings = Баптауларды өзгерту
setup-test-again = Қайта тексеру
setup-finish = Дайын
setup-logged-in = Қосылып, кірді.
setup-certificate-refused = Сертификатқа сенім білдірілмеді, сондықтан Poshta қосылмады. Сервер атын тексеріңіз немесе провайдеріңізден сұраңыз.
setup-bad-address = Толық электрондық пошта мекенжайын енгізіңіз, мысалы name@example.com.
setup-no-password = Осы мекенжайдың құпиясөзін енгізіңіз.
setup-incomplete-incoming = Кіріс сервердің атын, портын және пайдаланушы атын енгізіңіз.
setup-incomplete-outgoing = Шығыс сервердің атын, портын және пайдаланушы атын енгізіңіз немесе атын бос қалдырыңыз.
setup-added = Тіркелгі қосылды.
setup-added-no-keyring = Тіркелгі қосылды. Жүйенің кілттер қоймасына қол жеткізу мүмкін болмады, сондықтан құпиясөз Poshta жабылғанша ғана сақталады және келесі жолы қайта сұралады.

## A server certificate that failed verification
certificate-title = { $server } сертификатын тексеру мүмкін болмады
certificate-expired = Оның мерзімі өтіп кеткен.
certificate-not-yet-valid = Ол әлі жарамды емес (немесе осы компьютердің сағаты қате).
certificate-wrong-host = Ол басқа сервер атына берілген.
certificate-unknown-issuer = Оны осы компьютер сенетін орган бермеген.
certificate-self-signed = Ол өзіне-өзі қол қойған: оған ешбір орган кепілдік бермейді.
certificate-changed = Бұл осы сервер үшін бұрын сенім білдірген сертификатыңыз емес. Ол жаңартылған болуы мүмкін немесе біреу қосылымды ұстап тұр.
certificate-other = Ол қабылданбады: { $detail }
certificate-unknown-field = (оқылмайды)
certificate-subject = Кімге берілген
certificate-issuer = Кім берген
certificate-valid-from = Жарамды басталуы
certificate-valid-until = Жарамды аяқталуы
certificate-fingerprint = SHA-256
certificate-advice = Оған мұны күткен жағдайда ғана сеніңіз, мысалы өз серверіңіз болса және саусақ ізі провайдер бергенмен сәйкес келсе.
certificate-advice-changed = Жаңа сертификатқа провайдеріңіз өзгерісті растаса және саусақ ізі сәйкес келсе ғана сеніңіз.
certificate-cancel = Сенбеу
certificate-trust = { $server } үшін осы сертификатқа сену

## Оқу: көрсетілген хат, салынымдар, сілтемелер, әңгімелер
reader-no-text = Бұл хатта көрсететін мәтін жоқ.
reader-reply-to = Жауап кімге
reader-all-headers = Барлық тақырыптамалар
reader-fewer-headers = Азырақ тақырыптама
reader-source = Бастапқы мәтін
reader-source-title = Хат келген күйінде
reader-source-close = Бастапқы мәтінді жабу
reader-blocked = { $count ->
   *[other] Қашықтағы мазмұн бұғатталды: { $count }. Poshta хатты көрсету үшін желіден ештеңе жүктемейді.
}
reader-blocked-show = Мекенжайларды көрсету
reader-blocked-hide = Мекенжайларды жасыру
reader-back = ← Артқа
reader-attached-message = Салынған хат
reader-conversation = { $count ->
   *[other] Әңгіме · { $count } хат
}
link-ask = Бұл сілтеме { $host } сайтына апарады. Браузерде ашу керек пе?
link-open = Сілтемені ашу
link-copy = Мекенжайды көшіру
link-copied = Сілтеме мекенжайы көшірілді
attachments-count = { $count ->
   *[other] { $count } салыным
}
attachments-save-all = Барлығын сақтау…
attachment-open = Ашу
attachment-save = Сақтау…
attachment-risky = «{ $name }» — бағдарлама не скрипт. Оны ашу бұл компьютерде код іске қосуы мүмкін. Тек осы жіберушіден күткен болсаңыз ғана ашыңыз.
attachment-open-anyway = Бәрібір ашу
attachment-exists = «{ $name }» атты файл бар. Ештеңе ауыстырылған жоқ.
attachment-save-as = «{ $name }» деп сақтау
attachment-saved = Сақталды: { $path }
attachments-saved = { $count ->
   *[other] { $count } салыным { $dir } ішіне сақталды
}
attachment-opened = { $name } ашылды
search-placeholder = Іздеу (from:, subject:, has:attachment)
search-scope-folder = Осы бума
search-scope-account = Осы тіркелгі
search-scope-all = Барлық тіркелгі
search-clear = Іздеуді тазалау
search-nothing = Ештеңе табылмады
search-from-server = сервер
search-found = { $count ->
   *[other] { $count } табылды
}
search-summary-local = жергілікті: { $count } хат
search-summary-server = сервер: { $folders }
search-summary-failed = { $folder }: ізделмеді ({ $reason })
sort-date = Күні
sort-sender = Жіберуші
sort-subject = Тақырып
sort-size = Көлемі
filter-unread = Тек оқылмаған хаттар
filter-flagged = Тек белгіленген хаттар
filter-attachments = Тек салынымы бар хаттар
list-threads = Әр әңгімеге бір жол
reader-truncated = Бұл хат толық көрсетуге тым ұзын; қалғаны алынып тасталды.
event-invitation = Шақыру
event-cancelled = Оқиға болдырылмады
event-reply = Шақыруға жауап
event-when = Қашан
event-where = Қайда
event-organizer = Ұйымдастырушы
