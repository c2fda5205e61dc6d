"""Resources built from the clinic's rows, each with the R4B models (never a hand-written dict
on the wire): the model validates what it is given, and its JSON is what goes out."""
