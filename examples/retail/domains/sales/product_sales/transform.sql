-- Monthly units and revenue per article. Upstream datasets are named by their addresses
-- (<domain>.<product>.<object>_v<major>), the same three-part names consumers use.
SELECT
    CAST(date_trunc('month', o.order_ts) AS DATE) AS month,
    l.sku,
    p.product_name,
    p.category,
    SUM(l.quantity)                               AS units_sold,
    COUNT(DISTINCT l.order_id)                    AS order_count,
    SUM(l.line_amount)                            AS revenue
FROM sales.orders.order_lines_v1 AS l
JOIN sales.orders.orders_v1      AS o ON o.order_id = l.order_id
JOIN sales.products.products_v1  AS p ON p.sku = l.sku
WHERE o.status <> 'cancelled'
GROUP BY ALL
