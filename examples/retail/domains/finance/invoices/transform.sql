-- One invoice per order that was not cancelled. VAT is computed per line from the gross line
-- amount at the ship-to country's standard rate (gift cards carry no VAT), rounded to the cent
-- as a DECIMAL so that net + VAT adds up to gross exactly.
WITH rated AS (
    SELECT
        o.order_id,
        o.customer_id,
        CAST(o.order_ts AS DATE) AS invoice_date,
        o.ship_country           AS country,
        o.currency,
        l.line_amount,
        CASE
            WHEN p.category = 'gift_cards' THEN 0
            ELSE CASE o.ship_country
                WHEN 'DE' THEN 0.19 WHEN 'AT' THEN 0.20 WHEN 'FR' THEN 0.20
                WHEN 'NL' THEN 0.21 WHEN 'BE' THEN 0.21 WHEN 'ES' THEN 0.21
                WHEN 'IT' THEN 0.22
            END
        END                      AS vat_rate
    FROM sales.orders.orders_v1      AS o
    JOIN sales.orders.order_lines_v1 AS l ON l.order_id = o.order_id
    JOIN sales.products.products_v1  AS p ON p.sku = l.sku
    WHERE o.status <> 'cancelled'
),
lines AS (
    SELECT *, CAST(ROUND(line_amount * vat_rate / (1 + vat_rate), 2) AS DECIMAL(14, 2)) AS line_vat
    FROM rated
)
SELECT
    'INV-' || order_id           AS invoice_id,
    order_id,
    customer_id,
    invoice_date,
    country,
    currency,
    SUM(line_amount - line_vat)  AS net_amount,
    SUM(line_vat)                AS vat_amount,
    SUM(line_amount)             AS gross_amount
FROM lines
GROUP BY order_id, customer_id, invoice_date, country, currency
