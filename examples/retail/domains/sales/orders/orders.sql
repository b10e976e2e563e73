-- Output port 'orders': one row per order, from the line-level export (input port 'pos_sales').
SELECT
    order_id,
    customer_id,
    order_ts,
    channel,
    ship_country,
    order_status              AS status,
    currency,
    SUM(quantity)             AS item_count,
    SUM(quantity * unit_price) AS order_total
FROM pos_sales
GROUP BY order_id, customer_id, order_ts, channel, ship_country, order_status, currency
