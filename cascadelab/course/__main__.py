"""``python -m cascadelab.course build-exercises | check-exercises`` (see :mod:`.build`)."""

from cascadelab.course.build import main

if __name__ == "__main__":
    raise SystemExit(main())
