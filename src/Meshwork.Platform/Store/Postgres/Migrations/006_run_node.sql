-- The node (cluster member or machine) that ran each run; runs recorded before this have none.
ALTER TABLE runs ADD COLUMN node text;
