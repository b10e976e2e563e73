-- Each campaign's audience: customers in the targeted segment, in the targeted country
-- (every country when target_country is null). SMS campaigns skip customers without a phone number.
-- This pipeline reads customers.profiles as the product marketing.campaign_audience: its phone column
-- arrives masked (pii-masked-outside-owner), which keeps NULL as NULL, so the condition below still works.
SELECT
    c.campaign_id,
    v.customer_id,
    c.channel,
    v.country,
    v.segment
FROM marketing.campaigns.campaigns_v1           AS c
JOIN customers.customer_value.customer_value_v1 AS v
  ON v.segment = c.target_segment
 AND (c.target_country IS NULL OR v.country = c.target_country)
JOIN customers.profiles.profiles_v1             AS p ON p.customer_id = v.customer_id
WHERE c.channel <> 'sms' OR p.phone IS NOT NULL
