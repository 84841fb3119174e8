"""The pure scenario functions behind each chapter's figures and labs, one module per chapter:
``essence`` (00), ``origin`` (01), ``theory`` (02), ``approach`` (03), ``evolution`` (04),
``horizon`` (05). They build on the model and the engine and never import the widgets.
"""
