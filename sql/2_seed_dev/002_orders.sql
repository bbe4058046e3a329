INSERT INTO customer_order (customer_id, status)
SELECT 1 + (i * 7) % 2000, (ARRAY['open', 'paid', 'shipped'])[1 + i % 3]
  FROM generate_series(1, 5000) AS i;

INSERT INTO order_line (order_id, product_id, quantity)
SELECT o.id, 1 + (o.id + k * 61) % 200, k
  FROM customer_order o, generate_series(1, 3) AS k;
