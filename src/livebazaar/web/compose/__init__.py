"""Where two features meet, composed once for the API and the pages: a show's state
(live + checkout, `show_state`), the host's live panel (`show_stats`), a price change
announced on every show selling the product (`lineup_prices`)."""
