"""The workbook layer: bytes and cells, not forms.

- ``sniff``: what a file is (magic numbers, zip and OLE directories, text tables);
- ``guard``: the safety checks before any parser sees a file (``prescan``: zip directory,
  entity declarations, sheet extents) and ``Refused``, the reason a file is not read;
- grid readers, one per format, all returning a ``grid.Book``: ``calamine`` (.xlsx/.xlsm/
  .xlsb/.xls/.ods), ``ooxml`` (openpyxl, the fallback for packages calamine refuses),
  ``biff`` (xlrd: Excel 2.1-5.0 and .xls calamine gives up on), ``text`` (CSV / tab text);
  ``books.open_book`` picks one, ``books.classify`` names a reader's failure;
- ``ods``: the one ODS merged-range parser (reading and annotated copies);
- ``mhtml``: the pages of a web archive (Excel's 单个文件网页), which ``html`` reads;
- ``formulas``: formula texts and error values from the sheet XML;
- ``cells``: cell references, parsed once.

Forms (where the table is, what the columns mean) are ``pipeline.layout`` and
``pipeline.readform``'s business, never this layer's.
"""
