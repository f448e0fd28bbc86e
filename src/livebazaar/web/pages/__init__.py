"""The server-rendered pages: home, the viewer room and replay, sign-in (`viewer`, with
`render_page`), the host studio, the seller dashboard (`seller*`), the buyer's account
and the viewer's currency. Templates and static files stay in web/templates and
web/static. The pages reach a show through `web.compose`, never the channel."""
