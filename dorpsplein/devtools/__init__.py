"""Developer tools, apart from the application: the benches (`./go bench`,
`./go bench-comments`), the Lighthouse audit, the README screenshots, and the
Chromium and static-server helpers they and the tests share. Nothing in the
application (build, preview, editor, publish, comments) imports from here."""
