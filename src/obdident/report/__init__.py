"""The report: its model and JSON form (:mod:`.model`), its schema, its terminal rendering (:mod:`.text`)."""
