-- Invoices per month and country, matched with the payments of their orders. Amounts are summed
-- as DECIMAL so that money adds up to the cent.
WITH paid AS (
    SELECT
        order_id,
        SUM(CAST(amount AS DECIMAL(14, 2))) FILTER (WHERE status = 'captured') AS captured,
        SUM(CAST(amount AS DECIMAL(14, 2))) FILTER (WHERE status = 'refunded') AS refunded
    FROM finance.payments.payments_v1
    GROUP BY order_id
)
SELECT
    CAST(date_trunc('month', i.invoice_date) AS DATE)           AS month,
    i.country,
    COUNT(*)                                                    AS invoice_count,
    SUM(i.net_amount)                                           AS net_revenue,
    SUM(i.vat_amount)                                           AS vat_amount,
    SUM(i.gross_amount)                                         AS gross_revenue,
    COALESCE(SUM(p.captured), 0)                                AS paid_amount,
    COALESCE(SUM(p.refunded), 0)                                AS refunded_amount,
    SUM(i.gross_amount) - COALESCE(SUM(p.captured), 0)          AS outstanding_amount
FROM finance.invoices.invoices_v1 AS i
LEFT JOIN paid AS p ON p.order_id = i.order_id
GROUP BY ALL
