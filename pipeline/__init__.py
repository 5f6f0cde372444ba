"""policy-pipeline: Chinese government policy notices → evidence-linked Parquet tables.

    import pipeline
    tables = pipeline.load("outputs/corpus")     # {"documents": DataFrame, "units": DataFrame, …}
    records = pipeline.process_text(text)        # {"documents": [row], "units": [rows], …}

Both live in pipeline/api.py and are imported on first use, so that importing a stage
module does not load pandas or the whole pipeline.
"""
__all__ = ["load", "process_text"]


def __getattr__(name: str):
    if name in __all__:
        from pipeline import api

        return getattr(api, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
