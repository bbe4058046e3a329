-- Development data: enough rows to look real.
INSERT INTO customer (email, name, country_code)
SELECT 'customer' || i || '@example.com', 'Customer ' || i,
       (ARRAY['DE', 'FR', 'GB', 'JP', 'US'])[1 + i % 5]
  FROM generate_series(1, 2000) AS i;
