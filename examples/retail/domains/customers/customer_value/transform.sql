-- Spend and recency per customer, and a value segment as of the day of the latest order.
-- Every customer of the profiles appears, prospects (no order yet) included.
WITH as_of AS (
    SELECT CAST(MAX(order_ts) AS DATE) AS as_of_date
    FROM sales.orders.orders_v1
),
spend AS (
    SELECT
        customer_id,
        COUNT(*)                   AS order_count,
        SUM(order_total)           AS total_spent,
        CAST(MIN(order_ts) AS DATE) AS first_order_date,
        CAST(MAX(order_ts) AS DATE) AS last_order_date
    FROM sales.orders.orders_v1
    WHERE status <> 'cancelled'
    GROUP BY customer_id
)
SELECT
    p.customer_id,
    p.country,
    COALESCE(s.order_count, 0)  AS order_count,
    COALESCE(s.total_spent, 0)  AS total_spent,
    s.first_order_date,
    s.last_order_date,
    CASE
        WHEN s.customer_id IS NULL                                   THEN 'prospect'
        WHEN s.total_spent >= 1000                                   THEN 'vip'
        WHEN s.first_order_date >= a.as_of_date - INTERVAL '60' DAY    THEN 'new'
        WHEN s.last_order_date  <  a.as_of_date - INTERVAL '90' DAY    THEN 'lapsed'
        ELSE 'regular'
    END                         AS segment,
    a.as_of_date
FROM customers.profiles.profiles_v1 AS p
CROSS JOIN as_of AS a
LEFT JOIN spend AS s ON s.customer_id = p.customer_id
