"""Format-level knowledge of workbook files, below the form logic of ``read``: what a file is
(old BIFF, password-protected) and loaders for what python-calamine cannot read."""
