-- The total of an order, in cents.
CREATE FUNCTION order_total(p_order_id bigint) RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
  total bigint;
BEGIN
  SELECT coalesce(sum(l.quantity * p.price_cents), 0) INTO total
    FROM order_line l JOIN product p ON p.id = l.product_id
   WHERE l.order_id = p_order_id;
  RETURN total;
END;
$$;

CREATE VIEW order_summary AS
SELECT o.id, c.email, o.status, o.placed_at, order_total(o.id) AS total_cents
  FROM customer_order o JOIN customer c ON c.id = o.customer_id;
