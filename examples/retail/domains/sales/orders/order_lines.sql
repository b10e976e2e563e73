-- Output port 'order_lines': the lines of the export, without the repeated order header.
SELECT
    order_id,
    line_no,
    sku,
    quantity,
    unit_price,
    quantity * unit_price AS line_amount
FROM pos_sales
