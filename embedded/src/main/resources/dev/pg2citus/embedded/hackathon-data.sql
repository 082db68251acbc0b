-- Generated tutorial data for the embedded default: 50 companies, 10 campaigns each, 10 ads per
-- campaign, 20 clicks and 40 impressions per ad. Deterministic, so runs compare.
INSERT INTO companies (name, image_url, created_at, updated_at)
SELECT 'Company ' || i, 'https://example.com/logo/' || i || '.png',
       timestamp '2024-01-01' + i * interval '1 hour', timestamp '2024-06-01' + i * interval '1 minute'
  FROM generate_series(1, 50) i;

INSERT INTO campaigns (company_id, name, cost_model, state, monthly_budget, blacklisted_site_urls, created_at, updated_at)
SELECT c.id, 'Campaign ' || c.id || '-' || n, (ARRAY['cost_per_click', 'cost_per_impression'])[1 + n % 2],
       (ARRAY['running', 'paused', 'archived'])[1 + n % 3], 1000 * n,
       CASE WHEN n % 4 = 0 THEN ARRAY['http://bad.example/' || n, 'http://worse.example/"quoted"'] END,
       c.created_at + n * interval '1 day', c.updated_at
  FROM companies c, generate_series(1, 10) n;

INSERT INTO ads (campaign_id, name, image_url, target_url, impressions_count, clicks_count, created_at, updated_at)
SELECT ca.id, E'Ad\t' || ca.id || '-' || n, 'https://example.com/ad/' || n || '.png',
       'https://shop.example/?campaign=' || ca.id, n * 40, n * 20, ca.created_at, ca.updated_at
  FROM campaigns ca, generate_series(1, 10) n;

INSERT INTO clicks (ad_id, clicked_at, site_url, cost_per_click_usd, user_ip, user_data)
SELECT a.id, timestamp '2024-07-01 00:00:00.123456' + (a.id * 20 + n) * interval '17 seconds',
       'https://news.example/' || (a.id + n) % 97, ((a.id * 7 + n) % 1000) / 997.0,
       ('10.' || a.id % 256 || '.' || n % 256 || '.' || (a.id + n) % 256)::inet,
       jsonb_build_object('is_mobile', n % 2 = 0, 'location', 'Zone "' || n % 7 || '"', 'agent', E'line\nbreak')
  FROM ads a, generate_series(1, 20) n;

INSERT INTO impressions (ad_id, seen_at, site_url, cost_per_impression_usd, user_ip, user_data)
SELECT a.id, timestamp '2024-07-01 00:00:00.000001' + (a.id * 40 + n) * interval '7 seconds',
       'https://news.example/' || (a.id + n) % 89, ((a.id * 3 + n) % 1000) / 10007.0,
       ('2001:db8::' || to_hex(a.id) || ':' || to_hex(n))::inet,
       jsonb_build_object('is_mobile', n % 3 = 0, 'location', 'Zone ' || n % 5)
  FROM ads a, generate_series(1, 40) n;

ANALYZE;
