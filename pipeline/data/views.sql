-- The views of DIR/policy.duckdb (pipeline/database.py creates them after every run,
-- over the run's tables and `regions`). README "Comparing plans" shows queries over them.

-- Years a document commits to: target years, dated deadlines, phase spans, years in its title.
CREATE VIEW doc_years AS
SELECT doc_id, CAST(year AS INTEGER) AS year FROM targets WHERE year IS NOT NULL
UNION ALL SELECT doc_id, year(TRY_CAST(date AS DATE)) FROM deadlines WHERE date IS NOT NULL
UNION ALL SELECT doc_id, year(TRY_CAST(start_date AS DATE)) FROM phases WHERE start_date IS NOT NULL
UNION ALL SELECT doc_id, year(TRY_CAST(end_date AS DATE)) FROM phases WHERE end_date IS NOT NULL
UNION ALL SELECT doc_id, CAST(unnest(regexp_extract_all(title, '(?:19|20)\d\d')) AS INTEGER) FROM documents;

-- One row per document: where, what level, when, how much, and its time horizon
-- (issue year or first committed year, to the last committed year).
CREATE VIEW doc_overview AS
WITH
  n_units AS (SELECT doc_id, count(*) AS n FROM units GROUP BY doc_id),
  n_targets AS (SELECT doc_id, count(*) AS n FROM targets GROUP BY doc_id),
  n_deadlines AS (SELECT doc_id, count(*) AS n FROM deadlines GROUP BY doc_id),
  n_phases AS (SELECT doc_id, count(*) AS n FROM phases GROUP BY doc_id),
  n_citations AS (SELECT doc_id, count(*) AS n FROM citations GROUP BY doc_id),
  span AS (SELECT doc_id, min(year) AS first_year, max(year) AS last_year FROM doc_years GROUP BY doc_id)
SELECT d.doc_id, d.title, d.doc_number, d.issuer, d.region, r.level,
       TRY_CAST(substr(d.issue_date, 1, 4) AS INTEGER) AS issue_year,
       d.n_tasks,
       coalesce(n_units.n, 0) AS n_units,
       coalesce(n_targets.n, 0) AS n_targets,
       coalesce(n_deadlines.n, 0) AS n_deadlines,
       coalesce(n_phases.n, 0) AS n_phases,
       coalesce(n_citations.n, 0) AS n_citations,
       least(TRY_CAST(substr(d.issue_date, 1, 4) AS INTEGER), span.first_year) AS horizon_start,
       span.last_year AS horizon_end
FROM documents d
LEFT JOIN regions r ON r.region = d.region
LEFT JOIN n_units USING (doc_id)
LEFT JOIN n_targets USING (doc_id)
LEFT JOIN n_deadlines USING (doc_id)
LEFT JOIN n_phases USING (doc_id)
LEFT JOIN n_citations USING (doc_id)
LEFT JOIN span USING (doc_id)
ORDER BY d.doc_id;

-- Every task with each of its ancestors, itself included at depth 0.
CREATE VIEW task_ancestors AS
WITH RECURSIVE up(doc_id, task_id, ancestor_id, depth) AS (
  SELECT doc_id, task_id, task_id, 0 FROM tasks
  UNION ALL
  SELECT up.doc_id, up.task_id, t.parent_id, up.depth + 1
  FROM up JOIN tasks t ON t.doc_id = up.doc_id AND t.task_id = up.ancestor_id
  WHERE t.parent_id IS NOT NULL
)
SELECT * FROM up;

-- Every target with its family, its effective year (the year stated for it, else the end of
-- its document's horizon) and who leads it: the lead units of the nearest task (its own or
-- an ancestor) that names any, else that task's responsible units.
CREATE VIEW targets_with_leads AS
WITH
  owners AS (
    SELECT t.doc_id, t.char_start, t.char_end, coalesce(t.indicator, '') AS indicator_key,
           a.depth, u.role, u.unit_canonical, u.unit_function, u.char_start AS unit_start,
           rank() OVER (PARTITION BY t.doc_id, t.char_start, t.char_end, coalesce(t.indicator, '')
                        ORDER BY a.depth, CASE u.role WHEN 'lead' THEN 0 ELSE 1 END) AS nearest
    FROM targets t
    JOIN task_ancestors a ON a.doc_id = t.doc_id AND a.task_id = t.task_id
    JOIN units u ON u.doc_id = a.doc_id AND u.task_id = a.ancestor_id AND u.role IN ('lead', 'responsible')
  ),
  lead_units AS (
    SELECT doc_id, char_start, char_end, indicator_key, role, unit_canonical, unit_function, min(unit_start) AS first_seen
    FROM owners WHERE nearest = 1
    GROUP BY ALL
  ),
  leads AS (
    SELECT doc_id, char_start, char_end, indicator_key, min(role) AS lead_role,  -- lead before responsible
           string_agg(unit_canonical, '、' ORDER BY first_seen) AS lead_units,
           string_agg(DISTINCT unit_function, '、' ORDER BY unit_function) AS lead_functions
    FROM lead_units GROUP BY ALL
  )
SELECT t.doc_id, o.title, o.region, o.level, t.task_id, t.indicator, t.indicator_family,
       t.value, t.value_max, t.unit, t.comparator, t.year,
       coalesce(CAST(t.year AS INTEGER), o.horizon_end) AS year_effective,
       l.lead_role, l.lead_units, l.lead_functions, t.text, t.char_start, t.char_end
FROM targets t
JOIN doc_overview o USING (doc_id)
LEFT JOIN leads l ON l.doc_id = t.doc_id AND l.char_start = t.char_start AND l.char_end = t.char_end
                 AND l.indicator_key = coalesce(t.indicator, '')
ORDER BY t.doc_id, t.char_start;

-- Targets lined up by region and indicator family.
CREATE VIEW targets_by_region_family AS
SELECT region, indicator_family, count(*) AS n_targets, count(DISTINCT doc_id) AS n_documents,
       min(year_effective) AS first_year, max(year_effective) AS last_year,
       string_agg(indicator || ' ' || comparator || ' ' || printf('%g', value) || coalesce(unit, ''), '; '
                  ORDER BY doc_id, char_start) AS targets
FROM targets_with_leads
WHERE indicator_family IS NOT NULL
GROUP BY region, indicator_family
ORDER BY region, indicator_family;

-- Each canonical unit's workload in each document: tasks it leads, supports, is responsible for.
CREATE VIEW unit_workload AS
SELECT u.doc_id, d.region, u.unit_canonical, min(u.unit_function) AS unit_function,
       bool_or(u.unit_collective) AS unit_collective,
       count(DISTINCT coalesce(u.task_id, '')) FILTER (WHERE u.role = 'lead') AS n_lead,
       count(DISTINCT coalesce(u.task_id, '')) FILTER (WHERE u.role = 'support') AS n_support,
       count(DISTINCT coalesce(u.task_id, '')) FILTER (WHERE u.role = 'responsible') AS n_responsible,
       count(DISTINCT coalesce(u.task_id, '')) AS n_tasks,
       string_agg(DISTINCT u.unit, '、' ORDER BY u.unit) AS printed_as
FROM units u JOIN documents d USING (doc_id)
GROUP BY u.doc_id, d.region, u.unit_canonical
ORDER BY u.doc_id, n_tasks DESC, u.unit_canonical;

-- Workload by function across documents (市场监管 gathers 质监局, 工商局, 市场监管局, …).
CREATE VIEW function_workload AS
SELECT unit_function, count(DISTINCT doc_id) AS n_documents, count(DISTINCT unit_canonical) AS n_units,
       CAST(sum(n_lead) AS BIGINT) AS n_lead, CAST(sum(n_support) AS BIGINT) AS n_support,
       CAST(sum(n_responsible) AS BIGINT) AS n_responsible, CAST(sum(n_tasks) AS BIGINT) AS n_tasks
FROM unit_workload
GROUP BY unit_function
ORDER BY n_tasks DESC, unit_function;

-- Phases and dated deadlines on one time line.
CREATE VIEW timelines AS
SELECT p.doc_id, d.region, 'phase' AS kind, p.seq, p.name AS label,
       TRY_CAST(p.start_date AS DATE) AS start_date, TRY_CAST(p.end_date AS DATE) AS end_date
FROM phases p JOIN documents d USING (doc_id)
UNION ALL
SELECT l.doc_id, d.region, 'deadline', NULL, l.text, TRY_CAST(l.date AS DATE), TRY_CAST(l.date AS DATE)
FROM deadlines l JOIN documents d USING (doc_id)
WHERE l.date IS NOT NULL
ORDER BY doc_id, start_date;

-- Deadlines counted by year (year null: recurring or unresolved ones).
CREATE VIEW deadlines_by_year AS
SELECT l.doc_id, d.region, year(TRY_CAST(l.date AS DATE)) AS year, count(*) AS n_deadlines,
       count(l.recurrence) AS n_recurring
FROM deadlines l JOIN documents d USING (doc_id)
GROUP BY ALL
ORDER BY l.doc_id, year NULLS LAST;

-- Citations with the citing and, when it is in the run, the cited document.
CREATE VIEW citation_links AS
SELECT c.doc_id, d.title, d.region, o.issue_year, c.cited_title, c.cited_doc_number,
       TRY_CAST(regexp_extract(c.cited_doc_number, '〔(\d{4})〕', 1) AS INTEGER) AS cited_year,
       c.cited_doc_id, cd.title AS cited_doc_title, cd.region AS cited_region,
       c.task_id, c.text, c.char_start, c.char_end
FROM citations c
JOIN documents d USING (doc_id)
JOIN doc_overview o USING (doc_id)
LEFT JOIN documents cd ON cd.doc_id = c.cited_doc_id
ORDER BY c.doc_id, c.char_start;

-- How often each cited document is cited, by how many documents of the run.
CREATE VIEW citation_counts AS
SELECT coalesce(cited_doc_number, cited_title) AS cited, min(cited_title) AS cited_title,
       min(cited_doc_id) AS cited_doc_id, count(*) AS n_citations, count(DISTINCT doc_id) AS n_citing,
       string_agg(DISTINCT doc_id, ', ' ORDER BY doc_id) AS citing
FROM citations
GROUP BY cited
ORDER BY n_citing DESC, n_citations DESC, cited;
