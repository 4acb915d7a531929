from lianxin.accounts.testing import otp_required  # noqa: F401  (fixture)
