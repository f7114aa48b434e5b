"""lianzheng-risk: processes 廉政风险自查表 submissions into an archive and section feedback."""

__version__ = "0.1.0"
