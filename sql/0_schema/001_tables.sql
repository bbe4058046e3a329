-- The example shop: countries, customers, products, orders.
CREATE TABLE country (
  code char(2) PRIMARY KEY,
  name text NOT NULL
);

CREATE TABLE customer (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email LIKE '%@%'),
  name text NOT NULL,
  country_code char(2) NOT NULL REFERENCES country (code),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE product (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  price_cents integer NOT NULL CHECK (price_cents >= 0)
);

CREATE TABLE customer_order (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customer (id) ON DELETE CASCADE,
  placed_at timestamptz NOT NULL DEFAULT now(),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'shipped'))
);

CREATE TABLE order_line (
  order_id bigint NOT NULL REFERENCES customer_order (id) ON DELETE CASCADE,
  product_id bigint NOT NULL REFERENCES product (id),
  quantity integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (order_id, product_id)
);

CREATE INDEX customer_order_customer_idx ON customer_order (customer_id);
