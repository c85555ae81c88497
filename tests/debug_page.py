"""The page the debug panel's tests open (tests/browser, tests/engines)."""

# A product page in DOM tagging, a placement, and a cart priced in two currencies (a payload
# rule's warning: mixed-currencies).
LINE = (
    "<div class='line_item'><span class='product_id'>{id}</span><span class='name'>{id}</span>"
    "<span class='quantity'>1</span><span class='unit_price'>10.00</span>"
    "<span class='price_currency_code'>{currency}</span></div>"
)
PAGE = (
    "<div class='nosto_page_type' style='display:none'>product</div>"
    "<div class='nosto_product' style='display:none'><span class='product_id'>shirt-1</span>"
    "<span class='name'>Debug Shirt</span><span class='url'>/p/shirt-1</span>"
    "<span class='price'>10.00</span><span class='price_currency_code'>EUR</span>"
    "<span class='availability'>InStock</span></div>"
    "<div class='nosto_cart' style='display:none'>"
    + LINE.format(id="a", currency="EUR")
    + LINE.format(id="b", currency="USD")
    + "</div><div class='nosto_element' id='productpage-nosto-1' style='min-height:40px'></div>"
)
