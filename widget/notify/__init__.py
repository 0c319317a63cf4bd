"""Notifications: email readers asked for, sent from an outbox in the background.

`outbox.py` queues and sends; `subscriptions.py` keeps who asked for reply emails (double
opt-in, one confirmation a day at most, nothing after an unsubscribe); `letters.py` writes
the emails; `receivers.py` subscribes to the comment events (comments/events.py) and queues
reply emails; `views.py` has the confirm and unsubscribe pages; `commands.py` `widget mail`.
"""
