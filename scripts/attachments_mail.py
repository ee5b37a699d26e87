#!/usr/bin/env python3
"""Write one message carrying the attachments a person meets (a PDF, a
photo, a spreadsheet, a forwarded message) and one that only pretends to
be a document (a right-to-left override hiding ".exe"), for screenshots.

Usage: python3 scripts/attachments_mail.py OUT.eml
"""

import sys
import zlib
from email.message import EmailMessage
from email.policy import SMTP

msg = EmailMessage()
msg["From"] = "Saule Nurlanovna <saule@example.kz>"
msg["To"] = "Daniyar Akhmetov <daniyar@example.com>"
msg["Subject"] = "Quarterly report, photos and the budget"
msg["Date"] = "Mon, 23 Nov 2026 09:15:00 +0500"
msg["Message-ID"] = "<quarterly-2026@example.kz>"
msg.set_content(
    "Hi Daniyar,\n\nHere are the quarterly report, the team photo from the\n"
    "offsite and next year's budget. I also forward Aliya's minutes.\n\nSaule\n"
)


def png(width, height):
    """A small gradient picture, made here so the script needs no files."""
    raw = b"".join(
        b"\x00" + b"".join(bytes(((x + y) % 256, 140, (2 * x) % 256)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind, data):
        body = kind + data
        return len(data).to_bytes(4, "big") + body + zlib.crc32(body).to_bytes(4, "big")
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00"
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n" + b" " * 180_000
msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="Quarterly report Q3.pdf")
msg.add_attachment(png(320, 200), maintype="image", subtype="png", filename="team-photo.png")
msg.add_attachment(b"PK\x05\x06" + b"\x00" * 18 + b"x" * 42_000,
                   maintype="application",
                   subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   filename="budget-2027.xlsx")
minutes = EmailMessage()
minutes["From"] = "Aliya Serikova <aliya@example.kz>"
minutes["To"] = "Saule Nurlanovna <saule@example.kz>"
minutes["Subject"] = "Minutes of the planning meeting"
minutes["Date"] = "Fri, 20 Nov 2026 17:02:00 +0500"
minutes.set_content("1. The offsite moves to March.\n2. Budget review on 1 December.\n")
msg.add_attachment(minutes)
msg.add_attachment(b"MZ" + b"\x00" * 4000, maintype="application", subtype="octet-stream",
                   filename="invoice\u202efdp.exe")

with open(sys.argv[1], "wb") as out:
    out.write(msg.as_bytes(policy=SMTP))
