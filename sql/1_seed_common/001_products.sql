INSERT INTO product (sku, name, price_cents)
SELECT 'SKU-' || lpad(i::text, 4, '0'), 'Product ' || i, 100 + (i * 37) % 9900
  FROM generate_series(1, 200) AS i;
