"""Text fixes of the public page for databases that already hold the initial content.

Only the initial wording is replaced, where it is still there: a text the campaign team has
edited in the admin stays as they wrote it. Also: each region's police entry gets its proper
name (the Kazakh, Russian and English names of the reference bodies, which reference 0004
re-applies with the Kazakh genitive), the placeholder note "address to be added" goes, and
languages become codes (shown in the page's language)."""

from django.db import migrations

# (page slug, field, initial text, corrected text); content.json holds the corrected text.
PAGES = [
    ("stalking", "body_kk", "күн сайын подъезд алдында күтеді", "күн сайын кіреберіс алдында күтеді"),
    ("stalking", "body_ru", "а потом провожает до дома", "а потом идёт за вами до дома"),
    ("rights", "body_kk", "Өз тілінде – қазақ немесе орыс тілінде – жауап беру, қажет болса аудармашы алу.",
     "Ана тілінде немесе өзіңіз білетін тілде айғақ беру, аудармашының көмегін тегін пайдалану."),
    ("rights", "body_ru", "Давать показания на своём языке – казахском или русском, при необходимости с переводчиком.",
     "Давать показания на родном языке или языке, которым вы владеете, бесплатно пользоваться помощью переводчика."),
    ("rights", "body_en", "To speak in your language – Kazakh or Russian – with an interpreter if needed.",
     "To give evidence in your native language or in a language you speak, with the free help of an interpreter."),
    ("report", "body_kk", "112 – төтенше жағдайлар кезіндегі бірыңғай нөмір.", "112 – шұғыл қызметтердің бірыңғай нөмірі."),
    ("others", "body_ru", "признаки принуждения ученицы к браку", "признаки принуждения ученицы или ученика к браку"),
    ("safety", "title_kk", "«Шығу» батырмасы және қауіпсіз қарау", "«Бұл беттен шығу» батырмасы және қауіпсіз қарау"),
    ("safety", "title_ru", "Кнопка «Выйти» и безопасный просмотр", "Кнопка «Выйти с этой страницы» и безопасный просмотр"),
    ("safety", "title_en", "The exit button and browsing safely", "The “Exit this page” button and browsing safely"),
    ("safety", "body_kk", "«Шығу» батырмасы немесе Shift пернесін", "«Бұл беттен шығу» батырмасы немесе Shift пернесін"),
    ("safety", "body_ru", "Кнопка «Выйти» или трёхкратное нажатие Shift",
     "Кнопка «Выйти с этой страницы» или трёхкратное нажатие клавиши Shift"),
    ("safety", "body_en", "The exit button, or pressing Shift three times,",
     "The “Exit this page” button, or pressing Shift three times,"),
    ("safety", "body_kk", "Мүмкіндігінше өз телефоныңызды емес, басқа құрылғыны пайдаланыңыз.",
     "Телефоныңызды біреу тексеруі мүмкін болса, мүмкіндігінше сол адамның қолы жетпейтін құрылғыны пайдаланыңыз."),
    ("safety", "body_ru", "По возможности используйте другое устройство.",
     "Если кто-то может проверять ваш телефон, по возможности используйте устройство, к которому у этого человека нет доступа."),
    ("safety", "body_en", "If you can, use another device.",
     "If someone may check your phone, use a device that person has no access to, if you can."),
]  # fmt: skip
# National entries: (field, initial text, corrected text).
CONTACTS = [
    ("name_kk", "Төтенше жағдайлар кезіндегі бірыңғай нөмір", "Шұғыл қызметтердің бірыңғай нөмірі"),
    ("languages", "қаз, рус", "kk, ru"),
]
PLACEHOLDER_RU = "Адрес добавит администратор"


def forwards(apps, schema_editor):
    Page = apps.get_model("portal", "Page")
    HelpContact = apps.get_model("portal", "HelpContact")
    Body = apps.get_model("reference", "Body")
    for slug, field, old, new in PAGES:
        page = Page.objects.filter(slug=slug).first()
        if page is not None and old in getattr(page, field):
            setattr(page, field, getattr(page, field).replace(old, new))
            page.save(update_fields=[field])
    for field, old, new in CONTACTS:
        HelpContact.objects.filter(**{field: old}).update(**{field: new})
    bodies = {b.region_id: b for b in Body.objects.filter(kind="police", region__isnull=False)}
    for contact in HelpContact.objects.filter(kind="police", region__isnull=False).select_related(
        "region"
    ):
        region, changed = contact.region, []
        body = bodies.get(region.pk)
        if body is not None and contact.name_kk == f"{region.name_kk} Полиция департаменті":
            contact.name_kk = body.name_kk
            changed.append("name_kk")
        if body is not None and contact.name_ru == f"Полиция: {region.name_ru}":
            contact.name_ru = body.name_ru
            changed.append("name_ru")
        if body is not None and contact.name_en == f"Police: {region.name_en}":
            contact.name_en = body.name_en
            changed.append("name_en")
        if contact.note_ru == PLACEHOLDER_RU:
            contact.note_kk = contact.note_ru = contact.note_en = ""
            changed += ["note_kk", "note_ru", "note_en"]
        if changed:
            contact.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_help_contact_labels"),
        ("reference", "0004_police_names_genitive"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
