#!/usr/bin/env python3
"""Generate a deterministic demo mailbox (mbox) for screenshots and manual testing.

Usage:
    python3 scripts/demo_mail.py OUT.mbox [--count N] [--now ISO-DATETIME] [--seed S]

The output depends only on the arguments: the same arguments always produce a
byte-identical file.  Only the Python 3 standard library is used.  Every
address uses a reserved/example domain.
"""

import argparse
import datetime as dt
import random
import sys
import textwrap
import zlib
from email import policy
from email.generator import BytesGenerator
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from io import BytesIO

OWNER = Address("Daniyar Akhmetov", "daniyar", "example.com")
# How correspondents address the mailbox owner in each language.
OWNER_NAME = {"en": "Daniyar", "ru": "Данияр", "kk": "Данияр", "zh": "Daniyar",
              "bg": "Данияр"}

# --------------------------------------------------------------------------
# People.  tz is the UTC offset (hours) used in their Date headers.  Entries
# whose user part is listed in ORGS are organisations, not people: they only
# send the templates bound to them (see TEMPLATES).
# --------------------------------------------------------------------------
PEOPLE = {
    "en": [
        ("Emily Carter", "emily.carter", "example.com", 0),
        ("James O'Neill", "j.oneill", "example.org", 0),
        ("Priya Natarajan", "priya", "example.com", -5),
        ("Michael Brennan", "m.brennan", "example.org", -5),
        ("Northwind Billing", "billing", "example.com", 0),
    ],
    "ru": [
        ("Ольга Смирнова", "o.smirnova", "example.com", 3),
        ("Сергей Воронцов", "s.vorontsov", "example.org", 3),
        ("Наталья Ковалёва", "n.kovaleva", "example.com", 3),
        ("Бухгалтерия «Вектор»", "buh", "example.com", 3),
    ],
    "kk": [
        ("Айгерим Серікова", "aigerim", "example.kz", 5),
        ("Ерлан Жұмабаев", "erlan.zh", "example.kz", 5),
        ("Гүлнар Әбенова", "gulnar", "example.kz", 5),
        ("Қазақ Дата Орталығы", "info", "example.kz", 5),
    ],
    "zh": [
        ("王伟", "wang.wei", "example.cn", 8),
        ("李娜", "li.na", "example.cn", 8),
        ("张强", "zhang.qiang", "example.cn", 8),
        ("陈静", "chen.jing", "example.cn", 8),
        ("云启科技人事部", "hr", "example.cn", 8),
    ],
    "bg": [
        ("Георги Петров", "g.petrov", "example.org", 2),
        ("Мария Иванова", "maria.ivanova", "example.org", 2),
        ("Николай Димитров", "n.dimitrov", "example.com", 2),
    ],
}

ORGS = {"billing", "buh", "info", "hr"}

# Relative weight of each language in the mailbox.
LANG_WEIGHTS = [("en", 30), ("ru", 22), ("kk", 18), ("zh", 18), ("bg", 12)]

# --------------------------------------------------------------------------
# Message templates: (subject, [paragraphs], attachment kind or None, and
# optionally the user part of the only sender allowed to send it).
# Placeholders: {name} the owner's first name, {sender} the sender's first
# name, {day} a weekday name in the message language, {inv} an invoice number,
# {date} the message date (dd.mm.yyyy), {month}/{prev_month}/{next_month}
# month names relative to the message date.
# --------------------------------------------------------------------------
TEMPLATES = {
    "en": [
        ("Quarterly report draft", [
            "Hi {name},",
            "I have put together the first draft of the Q4 quarterly report. "
            "The revenue section is complete, but the numbers for the support "
            "team are still preliminary and may move by a few percent.",
            "Could you take a look at the summary on page two and tell me whether "
            "the tone is right for the board? I would like to send it out by {day}.",
            "Thanks,\n{sender}",
        ], "Q4_report_draft.pdf"),
        ("Invoice #{inv}", [
            "Hello,",
            "Please find attached invoice #{inv} for the {month} subscription "
            "(12 seats, annual plan). The amount due is 1,440.00 USD.",
            "Payment is due within 30 days. If you have already paid, please "
            "disregard this message.",
            "Kind regards,\nNorthwind Billing",
        ], "Invoice_{inv}.pdf", "billing"),
        ("Lunch on Thursday?", [
            "Hey {name},",
            "A few of us are going to the new noodle place on the corner on "
            "Thursday around 12:30. Want to join?",
            "{sender}",
        ], None),
        ("Design review notes", [
            "Hi all,",
            "Thanks for the productive session this morning. Key decisions:",
            "1. The message list keeps the two-line layout.\n"
            "2. Unread counts move into the folder sidebar.\n"
            "3. We drop the custom scrollbar and use the native one.",
            "I will update the mockups by {day}. Shout if I missed anything.",
            "Best,\n{sender}",
        ], None),
        ("Travel booking confirmation - Almaty", [
            "Hi {name},",
            "Your trip to Almaty is booked. Flights depart on the 3rd at 07:40 "
            "and the hotel is confirmed for four nights near the conference venue.",
            "The itinerary is attached. Remember to bring your passport and the "
            "invitation letter for registration.",
            "Safe travels,\n{sender}",
        ], "Itinerary_Almaty.txt"),
        ("Server maintenance window", [
            "Hello team,",
            "The mail and file servers will be unavailable on Saturday between "
            "22:00 and 02:00 UTC while we apply security updates and replace a disk.",
            "No action is needed on your side. Anything sent during the window "
            "will be queued and delivered afterwards.",
            "Regards,\n{sender}",
        ], None),
        ("Updated contract for review", [
            "Hi {name},",
            "Legal sent back the contract with their comments. Most changes are "
            "wording only; the one real change is the notice period, which is now "
            "60 days instead of 30.",
            "I attached the spreadsheet with the payment schedule so you can "
            "compare the two versions.",
            "Cheers,\n{sender}",
        ], "Payment_schedule.csv"),
        ("Welcome to the beta programme", [
            "Hi {name},",
            "Thanks for signing up for the beta. You should see the new search "
            "panel after the next update. It indexes all folders, including archives.",
            "Please send feedback by replying to this message. Screenshots help a lot.",
            "{sender}",
        ], None),
    ],
    "ru": [
        ("Встреча в четверг", [
            "{name}, добрый день!",
            "Предлагаю перенести нашу встречу на четверг, 15:00. В среду у меня "
            "весь день занят выездом к заказчику.",
            "Если время неудобно, напишите, подберём другое. Переговорная "
            "на третьем этаже свободна весь четверг.",
            "С уважением,\n{sender}",
        ], None),
        ("Отчёт за {prev_month}", [
            "Здравствуйте, {name}!",
            "Направляю отчёт о работе отдела за {prev_month}. Основные показатели "
            "выполнены, по двум проектам есть отставание от графика на неделю.",
            "Подробные цифры в приложенной таблице. Замечания, пожалуйста, "
            "присылайте до пятницы.",
            "С уважением,\n{sender}",
        ], "Отчёт_{prev_month}.csv"),
        ("Счёт на оплату № {inv}", [
            "Добрый день!",
            "Во вложении счёт № {inv} от {date} на оплату услуг хостинга за "
            "{next_month}. Сумма к оплате — 18 400 руб., НДС не облагается.",
            "Просим произвести оплату в течение пяти рабочих дней и прислать "
            "копию платёжного поручения в ответ на это письмо.",
            "Бухгалтерия «Вектор»",
        ], "Счёт_{inv}.pdf", "buh"),
        ("Новая версия инструкции", [
            "Коллеги, привет!",
            "Инструкция по настройке рабочего места обновлена: добавлен раздел "
            "про VPN, старые скриншоты заменены.",
            "Посмотрите, пожалуйста, всё ли понятно. Особенно интересует мнение "
            "тех, кто пришёл в команду недавно.",
            "{sender}",
        ], "Инструкция_рабочее_место.txt"),
        ("Итоги совещания по бюджету", [
            "Всем добрый день.",
            "Коротко по итогам сегодняшнего совещания: бюджет на следующий квартал "
            "утверждён без изменений, закупка ноутбуков переносится на январь.",
            "Ответственные за сбор заявок — {name} и я. Заявки принимаем до {day}.",
            "Спасибо всем за участие,\n{sender}",
        ], None),
        ("Поздравляем с днём рождения!", [
            "{name}, с днём рождения!",
            "От всей команды желаем здоровья, интересных задач и поменьше "
            "срочных писем в пятницу вечером.",
            "Торт ждёт на кухне в три часа дня.",
            "{sender} и вся команда",
        ], None),
    ],
    "kk": [
        ("Жиналыс кестесі", [
            "Құрметті {name}!",
            "Келесі аптаның жиналыс кестесін жіберіп отырмын. Бөлім жиналысы "
            "{day} күні сағат 10:00-де үлкен залда өтеді.",
            "Баяндама дайындайтын болсаңыз, слайдтарды бір күн бұрын жіберіңіз.",
            "Құрметпен,\n{sender}",
        ], None),
        ("Жылдық есеп туралы", [
            "Сәлеметсіз бе, {name}!",
            "Жылдық есептің алғашқы нұсқасы дайын. Қаржы бөлімінің деректері "
            "толық енгізілді, тек кадр бөлімінің мәліметтері қалды.",
            "Кестені тіркеп жібердім, ескертулеріңізді күтемін.",
            "Құрметпен,\n{sender}",
        ], "Жылдық_есеп.csv"),
        ("Демалыс кестесін келісу", [
            "Әріптестер, сәлем!",
            "Желтоқсан мен қаңтар айларына арналған демалыс кестесін келісу керек. "
            "Өз күндеріңізді жұма күнге дейін жазып жіберіңіздер.",
            "Бір уақытта бөлімнен екі адамнан артық демалысқа шықпауы тиіс.",
            "Рахмет,\n{sender}",
        ], None),
        ("Жаңа жүйеге көшу", [
            "Құрметті пайдаланушылар!",
            "Сенбі күні құжат айналымы жүйесі жаңа серверге көшіріледі. "
            "Жұмыс сағат 20:00-ден 23:00-ге дейін созылады.",
            "Осы уақытта жүйеге кіру мүмкін болмайды. Түсіністікпен қарағандарыңызға "
            "рахмет.",
            "Қазақ Дата Орталығы",
        ], None, "info"),
        ("Семинарға шақыру", [
            "Қайырлы күн, {name}!",
            "Сізді ақпараттық қауіпсіздік бойынша семинарға шақырамыз. Семинар "
            "{day} күні сағат 14:00-де өтеді, ұзақтығы екі сағат.",
            "Бағдарламасы тіркемеде. Қатысатыныңызды растауыңызды сұраймыз.",
            "Құрметпен,\n{sender}",
        ], "Семинар_бағдарламасы.txt"),
    ],
    "zh": [
        ("项目进度更新", [
            "{name}，你好：",
            "本周项目进展顺利，后端接口已经全部完成，前端页面完成了百分之八十。"
            "测试环境将于{day}部署。",
            "目前的主要风险是第三方支付接口的对接时间，我会继续跟进。",
            "谢谢！\n{sender}",
        ], None),
        ("会议通知：年度总结会", [
            "各位同事：",
            "公司年度总结会定于{day}下午两点在三楼大会议室举行，请各部门负责人"
            "准备十分钟的工作汇报。",
            "会议议程见附件，如有问题请联系行政部。",
            "行政部\n{sender}",
        ], "会议议程.txt"),
        ("报价单确认", [
            "{name}，您好：",
            "附件是我们根据上次沟通整理的报价单，包括软件授权、实施服务和一年的"
            "技术支持。",
            "报价有效期为三十天。如需调整数量或服务内容，请随时告诉我。",
            "此致\n敬礼\n{sender}",
        ], "报价单.csv"),
        ("面试安排", [
            "{name}，您好：",
            "感谢您应聘我们公司的高级开发工程师职位。我们想邀请您参加第二轮"
            "技术面试，时间暂定为{day}上午十点。",
            "面试采用线上方式进行，会议链接将在面试前一天发送。",
            "祝好！\n云启科技人事部",
        ], None, "hr"),
        ("周报", [
            "大家好：",
            "本周完成的工作：\n1. 修复了邮件同步中的三个问题；\n2. 优化了搜索速度；"
            "\n3. 完成了设置页面的新设计。",
            "下周计划：开始离线模式的开发，并整理用户反馈。",
            "{sender}",
        ], None),
    ],
    "bg": [
        ("Среща в понеделник", [
            "Здравей, {name},",
            "Можем ли да се видим в понеделник в 11:00, за да обсъдим "
            "плана за следващия месец? Ще донеса последните данни от продажбите.",
            "Ако не ти е удобно, предложи друг час.",
            "Поздрави,\n{sender}",
        ], None),
        ("Фактура за {month}", [
            "Здравейте,",
            "Изпращам Ви фактура № {inv} за {month}. Сумата за плащане е "
            "2 160,00 лв. с включен ДДС, срок за плащане — 14 дни от датата "
            "на издаване.",
            "Благодарим за доверието!",
            "С уважение,\n{sender}",
        ], "Фактура_{inv}.pdf"),
        ("Обучение за новата система", [
            "Колеги,",
            "Обучението за новата система за документи ще се проведе в {day} "
            "от 14:00 в голямата зала. Продължителност — около час и половина.",
            "Моля, носете лаптопите си.",
            "{sender}",
        ], None),
        ("Въпрос за договора", [
            "Здравей, {name},",
            "Прегледах договора и имам един въпрос към точка 4.2 — гаранционният "
            "срок започва ли от датата на доставка или от датата на приемане?",
            "Ще се радвам на отговор до края на седмицата.",
            "Поздрави,\n{sender}",
        ], None),
    ],
}

REPLY_LINES = {
    "en": ["Thanks, that works for me.", "Sounds good, see you then.",
           "Got it. I will take a look this afternoon and get back to you.",
           "Looks fine to me, just one small comment on the second point."],
    "ru": ["Спасибо, меня устраивает.", "Принято, посмотрю сегодня до вечера.",
           "Договорились. Добавлю пару комментариев в документ.",
           "Отлично, тогда до встречи."],
    "kk": ["Рахмет, маған ыңғайлы.", "Жақсы, бүгін кешке дейін қарап шығамын.",
           "Келістік. Құжатқа бірнеше ескерту қосамын."],
    "zh": ["谢谢，没有问题。", "收到，我今天下午看一下再回复你。",
           "好的，我会在文档里补充几点意见。"],
    "bg": ["Благодаря, удобно ми е.", "Добре, ще го прегледам днес следобед.",
           "Договорихме се. Ще добавя няколко коментара."],
}

SIGN_OFF = {
    "en": "Best,", "ru": "С уважением,", "kk": "Құрметпен,", "zh": "谢谢！",
    "bg": "Поздрави,",
}

WROTE = {
    "en": "On {date}, {who} wrote:",
    "ru": "{date}, {who} пишет:",
    "kk": "{date}, {who} жазды:",
    "zh": "在 {date}，{who} 写道：",
    "bg": "На {date} {who} написа:",
}

REPLY_PREFIX = "Re: "

WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "ru": ["понедельник", "вторник", "среду", "четверг", "пятницу"],
    "kk": ["дүйсенбі", "сейсенбі", "сәрсенбі", "бейсенбі", "жұма"],
    "zh": ["周一", "周二", "周三", "周四", "周五"],
    "bg": ["понеделник", "вторник", "сряда", "четвъртък", "петък"],
}

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July",
           "August", "September", "October", "November", "December"],
    "ru": ["январь", "февраль", "март", "апрель", "май", "июнь", "июль",
           "август", "сентябрь", "октябрь", "ноябрь", "декабрь"],
    "bg": ["януари", "февруари", "март", "април", "май", "юни", "юли",
           "август", "септември", "октомври", "ноември", "декември"],
}

# First invoice number per language; later invoices count up from it.
INVOICE_BASE = {"en": 4471, "ru": 318, "bg": 1207}

MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
             "Oct", "Nov", "Dec"]
DAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def first_name(display):
    if all(ord(c) > 0x2E80 for c in display):
        return display          # Chinese names are used in full: 王伟
    return display.split()[0]


def fake_pdf(title, rng):
    """A tiny but structurally plausible PDF document."""
    text = title.encode("ascii", "replace").decode("ascii")
    stream = "BT /F1 16 Tf 72 770 Td ({}) Tj ET".format(text.replace("(", "").replace(")", ""))
    body = (
        "%PDF-1.4\n"
        "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        "2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n"
        "3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        "/Contents 4 0 R >>\nendobj\n"
        "4 0 obj\n<< /Length {} >>\nstream\n{}\nendstream\nendobj\n"
        "trailer\n<< /Root 1 0 R /Size 5 /ID [<{:032x}>] >>\n%%EOF\n"
    ).format(len(stream), stream, rng.getrandbits(128))
    return body.encode("ascii")


def fake_csv(lang, rng):
    header = {
        "en": "item,quantity,unit_price,total",
        "ru": "позиция,количество,цена,сумма",
        "kk": "атауы,саны,бағасы,сомасы",
        "zh": "项目,数量,单价,合计",
        "bg": "позиция,количество,цена,сума",
    }[lang]
    items = {
        "en": ["Licences", "Support hours", "Training", "Hosting"],
        "ru": ["Лицензии", "Поддержка", "Обучение", "Хостинг"],
        "kk": ["Лицензиялар", "Қолдау", "Оқыту", "Хостинг"],
        "zh": ["软件授权", "技术支持", "培训", "托管服务"],
        "bg": ["Лицензи", "Поддръжка", "Обучение", "Хостинг"],
    }[lang]
    lines = [header]
    for item in items:
        qty = rng.randint(1, 24)
        price = rng.choice([45, 80, 120, 250, 990])
        lines.append("{},{},{}.00,{}.00".format(item, qty, price, qty * price))
    return "\r\n".join(lines) + "\r\n"


def fake_txt(subject, paragraphs):
    return "\n\n".join([subject] + paragraphs[1:-1]) + "\n"


def wrap(text, lang):
    """Wrap each line at 72 columns like a typical mail client (not CJK)."""
    if lang == "zh":
        return text
    out = []
    for line in text.split("\n"):
        out.append(textwrap.fill(line, width=72, break_long_words=False,
                                 break_on_hyphens=False) if line else "")
    return "\n".join(out)


def mbox_from_line(addr, when):
    u = when.astimezone(dt.timezone.utc)
    return "From {} {} {} {:2d} {:02d}:{:02d}:{:02d} {}\n".format(
        addr, DAYS_EN[u.weekday()], MONTHS_EN[u.month - 1], u.day,
        u.hour, u.minute, u.second, u.year)


def mboxrd_escape(data):
    out = []
    for line in data.split(b"\n"):
        if line.lstrip(b">").startswith(b"From "):
            line = b">" + line
        out.append(line)
    return b"\n".join(out)


def body_cte(lang, text):
    try:
        text.encode("ascii")
        return "7bit"
    except UnicodeEncodeError:
        return "base64" if lang == "zh" else "quoted-printable"


def pick_parent(rng, sent, when_utc):
    """An earlier message (sent at least 10 minutes before) to reply to, or None."""
    pool = [m for m in sent[-12:] if m["date"] < when_utc - dt.timedelta(minutes=10)]
    return rng.choice(pool) if pool else None


def office_hours(rng, when, now, parent):
    """Nudge a timestamp into the sender's working day, keep replies after
    their parent and everything at or before `now`."""
    if not 8 <= when.hour < 20:
        when = when.replace(hour=8 + when.hour % 12)
    if when.weekday() >= 5 and rng.random() < 0.7:
        monday = when + dt.timedelta(days=7 - when.weekday())
        if monday <= now:
            when = monday
    if when > now:
        when = (now - dt.timedelta(minutes=rng.randint(1, 90))).astimezone(when.tzinfo)
    if parent is not None and when <= parent["date"]:
        later = parent["date"] + dt.timedelta(minutes=rng.randint(12, 240))
        when = min(later, now).astimezone(when.tzinfo)
    return when


def fill(text, lang, when, inv, day, sender):
    months = MONTHS.get(lang, MONTHS["en"])
    return text.format(
        name=OWNER_NAME[lang], sender=sender, day=day, inv=inv,
        date=when.strftime("%d.%m.%Y"),
        month=months[when.month - 1],
        prev_month=months[(when.month - 2) % 12],
        next_month=months[when.month % 12],
    )


def build(args):
    rng = random.Random(args.seed)
    now = args.now
    span = dt.timedelta(days=21)

    # Raw timestamps spread over the window, oldest first.
    offsets = sorted(rng.uniform(0, span.total_seconds()) for _ in range(args.count))
    stamps = [now - span + dt.timedelta(seconds=int(o)) for o in offsets]

    langs = [l for l, _ in LANG_WEIGHTS]
    weights = [w for _, w in LANG_WEIGHTS]
    used = {l: [] for l in langs}   # template indexes used, to avoid early repeats
    uses = {}                       # (lang, template index) -> times used
    sent = []                       # earlier messages (candidates for replies)
    messages = []

    for i, when_utc in enumerate(stamps):
        parent = pick_parent(rng, sent, when_utc) if rng.random() < 0.28 else None
        attach = None
        if parent is not None:
            lang = parent["lang"]
            # Someone else from the same circle answers.
            person = rng.choice([p for p in PEOPLE[lang]
                                 if p[1] != parent["sender"][1] and p[1] not in ORGS])
        else:
            lang = rng.choices(langs, weights)[0]
            pool = TEMPLATES[lang]
            free = [k for k in range(len(pool)) if k not in used[lang]]
            if not free:
                # Start over, but never repeat the template used last.
                last = used[lang][-1]
                used[lang] = []
                free = [k for k in range(len(pool)) if k != last]
            k = rng.choice(free)
            used[lang].append(k)
            n_used = uses.get((lang, k), 0)
            uses[(lang, k)] = n_used + 1
            template = pool[k]
            bound = template[3] if len(template) > 3 else None
            if bound is not None:
                person = next(p for p in PEOPLE[lang] if p[1] == bound)
            else:
                person = rng.choice([p for p in PEOPLE[lang] if p[1] not in ORGS])

        display, user, domain, tz = person
        tzinfo = dt.timezone(dt.timedelta(hours=tz))
        when = office_hours(rng, when_utc.astimezone(tzinfo), now, parent)
        sender = Address(display, user, domain)
        day = rng.choice(WEEKDAYS[lang])

        if parent is None:
            inv = INVOICE_BASE.get(lang, 100) + 17 * n_used
            fields = (lang, when, inv, day, first_name(display))
            subject = fill(template[0], *fields)
            paragraphs = [wrap(fill(p, *fields), lang) for p in template[1]]
            if template[2] is not None and rng.random() >= 0.25:
                attach = fill(template[2], *fields)   # a file name
        else:
            subject = parent["subject"]
            if not subject.startswith(REPLY_PREFIX):
                subject = REPLY_PREFIX + subject
            quoted = "\n".join("> " + l if l else ">"
                               for l in "\n\n".join(parent["paragraphs"]).split("\n"))
            paragraphs = [
                rng.choice(REPLY_LINES[lang]),
                SIGN_OFF[lang] + "\n" + first_name(display),
                WROTE[lang].format(date=format_datetime(parent["date"]),
                                   who=parent["sender"][0]) + "\n" + quoted,
            ]

        text = "\n\n".join(paragraphs) + "\n"

        msg = EmailMessage(policy=policy.default)
        msg["From"] = sender
        msg["To"] = OWNER
        if parent is not None:
            p_disp, p_user, p_dom, _ = parent["sender"]
            msg["Cc"] = Address(p_disp, p_user, p_dom)
        elif rng.random() < 0.2:
            cc = rng.choice([p for p in PEOPLE[lang] if p[1] != user and p[1] not in ORGS])
            msg["Cc"] = Address(cc[0], cc[1], cc[2])
        msg["Subject"] = subject
        msg["Date"] = format_datetime(when)
        msg_id = "<{:08x}.{:04d}.{}@mail.{}>".format(
            zlib.crc32("{}|{}|{}".format(i, subject, user).encode("utf-8")),
            i, rng.getrandbits(40), domain)
        msg["Message-ID"] = msg_id
        # mbox read/flag marks, as mail programs write them: mail older
        # than two days has been read, and a few messages are flagged.
        if now - when > dt.timedelta(days=2):
            msg["Status"] = "RO"
        if rng.random() < 0.08:
            msg["X-Status"] = "F"
        refs = []
        if parent is not None:
            refs = parent["refs"] + [parent["id"]]
            msg["In-Reply-To"] = parent["id"]
            msg["References"] = " ".join(refs)
        msg["MIME-Version"] = "1.0"
        msg.set_content(text, charset="utf-8", cte=body_cte(lang, text))

        if lang == "en" and parent is None and rng.random() < 0.3:
            html = "".join("<p>{}</p>\n".format(
                p.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>\n"))
                for p in paragraphs)
            msg.add_alternative(
                "<!DOCTYPE html>\n<html><body style=\"font-family:sans-serif\">\n"
                + html + "</body></html>\n", subtype="html", cte="quoted-printable")

        if attach is not None:
            ext = attach.rsplit(".", 1)[1]
            if ext == "pdf":
                msg.add_attachment(fake_pdf(subject, rng), maintype="application",
                                   subtype="pdf", filename=attach)
            elif ext == "csv":
                msg.add_attachment(fake_csv(lang, rng), subtype="csv", charset="utf-8",
                                   cte="base64", filename=attach)
            else:
                msg.add_attachment(fake_txt(subject, paragraphs), subtype="plain",
                                   charset="utf-8", cte="base64", filename=attach)

        # Deterministic MIME boundaries (the library default is random); the
        # MIME-Version header belongs on the top-level message only.
        for n, part in enumerate(msg.walk()):
            if part is not msg:
                del part["MIME-Version"]
            if part.is_multipart():
                part.set_boundary("=_poshta_demo_{:04d}_{}_{:08x}".format(
                    i, n, zlib.crc32(msg_id.encode("ascii"))))

        sent.append({"lang": lang, "subject": subject, "id": msg_id, "refs": refs,
                     "sender": person, "date": when,
                     "paragraphs": paragraphs[:2] if parent is not None else paragraphs})
        messages.append((sender.addr_spec, when, i, msg))

    # Chronological order (ties broken by generation order).
    messages.sort(key=lambda m: (m[1], m[2]))
    return [(addr, when, msg) for addr, when, _, msg in messages]


def serialize(messages):
    out = BytesIO()
    gen_policy = policy.SMTP.clone(linesep="\n", max_line_length=78)
    for addr, when, msg in messages:
        buf = BytesIO()
        BytesGenerator(buf, mangle_from_=False, policy=gen_policy).flatten(msg)
        data = buf.getvalue()
        if not data.endswith(b"\n"):
            data += b"\n"
        out.write(mbox_from_line(addr, when).encode("ascii"))
        out.write(mboxrd_escape(data))
        out.write(b"\n")
    return out.getvalue()


def parse_now(value):
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("not an ISO 8601 date/time: {!r}".format(value))
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when


def positive_int(value):
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("count must be at least 1")
    return n


def main(argv=None):
    ap = argparse.ArgumentParser(description="Write a deterministic demo mbox.")
    ap.add_argument("out", metavar="OUT.mbox", help="output mbox file ('-' for stdout)")
    ap.add_argument("--count", type=positive_int, default=60,
                    help="number of messages (default: 60)")
    ap.add_argument("--now", type=parse_now, default=parse_now("2026-11-23T10:00:00+00:00"),
                    help="reference date/time of the newest message window "
                         "(ISO 8601, default: 2026-11-23T10:00:00+00:00)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    args = ap.parse_args(argv)

    data = serialize(build(args))
    if args.out == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.out, "wb") as f:
            f.write(data)
        print("wrote {} messages to {}".format(args.count, args.out), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
