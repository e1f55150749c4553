"""The application in a browser, for the people allowed in and nobody else (浏览器访问).

- :mod:`.auth`: passwords (argon2id), one-time sign-in links, sessions, and the slowing of
  repeated failed sign-ins; no web framework in it, so it is tested on its own;
- :mod:`.pages`: the sign-in page, the application's page and a record's attachments page, in Chinese and English;
- :mod:`.attachments`: a record's files in the browser: the upload page, the upload (its form token,
  the size limit applied while reading) and the download, as the signed-in person;
- :mod:`.server`: the aiohttp application: the Host and Origin checks, the routes (each
  one needs a signed-in session unless it is listed as public), and the tabs' processes.
"""
