"""Django's password rules, their help addressing the reader as the rest of the site
does (您): Django's Chinese catalogue says 你的密码… beside our 您."""

from django.contrib.auth import password_validation as django_rules
from django.utils.translation import gettext as _


class UserAttributeSimilarityValidator(django_rules.UserAttributeSimilarityValidator):
    def get_help_text(self):
        return _("密码不能与您的其他个人信息太相似。")


class MinimumLengthValidator(django_rules.MinimumLengthValidator):
    def get_help_text(self):
        return _("密码至少包含%(min_length)d个字符。") % {"min_length": self.min_length}


class CommonPasswordValidator(django_rules.CommonPasswordValidator):
    def get_help_text(self):
        return _("密码不能是常见密码。")


class NumericPasswordValidator(django_rules.NumericPasswordValidator):
    def get_help_text(self):
        return _("密码不能全是数字。")
