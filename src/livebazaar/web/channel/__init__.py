"""The show channel: one broker subscription per show per process (`realtime`), each
show's feed gathering events into one frame per audience per tick (`show_feed`,
`fanout_round`, `show_frames`, `chat_sample`), written straight to each socket
(`frame_writer`, `show_connection`, `show_socket`); and the serving process's garbage
collection on a clock (`gc_policy`). It never imports the pages."""
