"""The 教育补助 levels and caps, in a module without models so that the workflow programme can import them at
load time. Caps in fen; the grant table's CHECK (models.EducationGrant) holds the same figures."""

from django.db import models


class EducationLevel(models.TextChoices):
    COLLEGE = "college", "大专"
    BACHELOR = "bachelor", "本科"
    MASTER = "master", "硕士研究生"
    VOCATIONAL = "vocational", "职业资格（技能等级）证书"


EDUCATION_CAPS_FEN = {"college": 200_000, "bachelor": 300_000, "master": 500_000, "vocational": 100_000}
GRADUATED_WITHIN_DAYS = 365  # the degree or certificate was obtained within the last 12 months
