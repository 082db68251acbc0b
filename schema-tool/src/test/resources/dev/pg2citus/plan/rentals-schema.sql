-- Stores are the tenants; a rental reaches its store along inventory and along customer (pagila's shape).
CREATE TABLE store (store_id int PRIMARY KEY);
CREATE TABLE customer (customer_id int PRIMARY KEY, store_id int NOT NULL REFERENCES store);
CREATE TABLE inventory (inventory_id int PRIMARY KEY, store_id int NOT NULL REFERENCES store);
CREATE TABLE rental (rental_id int PRIMARY KEY,
    inventory_id int REFERENCES inventory, customer_id int NOT NULL REFERENCES customer);
