"""``python -m cascadelab``: a one-minute demo of a liquidation cascade, in words."""

from __future__ import annotations

from cascadelab import Book, cascade, cascade_multiplier, liquidation_density, sample_positions

DEMO_PRICE = 100.0
DEMO_SHOCK = 0.05
DEMO_DEPTH = 200_000.0


def main() -> None:
    """Print a default population, a 5% shock and what it sets off."""
    pos = sample_positions(20_000, DEMO_PRICE, seed=0)
    book = Book(depth=DEMO_DEPTH)
    print("cascadelab demo: a 5% shock hits a market of leveraged traders\n")
    print(f"  market     {pos!r}")
    print(f"  book       {book.depth:,.0f} units move the price by 1% ({book.impact} impact)")
    rho = liquidation_density(pos, DEMO_PRICE * (1 - DEMO_SHOCK))
    print(
        f"  loop gain  {rho:,.0f} units of liquidations per 1% near the shocked price: "
        f"rho/D = {rho / book.depth:.2f}, small-shock multiplier "
        f"{cascade_multiplier(rho, book.depth):.2f}x\n"
    )
    res = cascade(pos, DEMO_PRICE, DEMO_SHOCK, book)
    print("  " + res.describe())
    print("\nOpen the course with `make lab`; the first chapter is notebooks/00_essence.ipynb.")


if __name__ == "__main__":
    main()
