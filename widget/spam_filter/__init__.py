"""The learned spam filter: a naive Bayes classifier that runs inside the service, scores every
comment posted (comments/rules.py, `learned_filter`), and learns each site's owner's decisions.
Nothing about a comment leaves the service.

features.py says what it looks at, model.py how it weighs it, base.py the model shipped with
the package, storage.py each site's counts in the database, scoring.py a score and its
verdict, learning.py the owner's decisions as examples, commands.py `widget spam`.
"""
