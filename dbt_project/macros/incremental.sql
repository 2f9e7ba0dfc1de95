{#
  Register models are incremental by snapshot: a monthly snapshot should cost the same whatever the history.
  A snapshot is (re)built when its file is new or changed, i.e. when a (snapshot_date, source_file,
  file_sha256) of the upstream relation is not yet in this model. Every later snapshot is rebuilt with it:
  a snapshot arriving late (older than some already built) can split a provider version, and the versions of
  later snapshots then start on other dates (their provider_key changes); appending a new snapshot rebuilds
  that snapshot only. The strategy is delete+insert on snapshot_date (DuckDB, PostgreSQL); Spark's Parquet tables
  have no delete, so there the model is partitioned by snapshot_date and the rebuilt snapshots' partitions are
  overwritten (insert_overwrite, dynamic partition overwrite): the same rows either way.
  Seeds or model changes need a full rebuild: the pipeline passes --full-refresh when the project changed.
#}
{% macro registry_snapshots_to_build(upstream, this_sha_column='file_sha256') -%}
    snapshot_date >= (
        select min(snapshot_date) from (
            select distinct snapshot_date, source_file, file_sha256 from {{ upstream }}
            except
            select distinct snapshot_date, source_file, {{ this_sha_column }} from {{ this }}
        ) as changed_files
    )
{%- endmacro %}

{#- The incremental settings of a model built snapshot by snapshot, per adapter (see above). -#}
{% macro snapshot_incremental_config() -%}
    {{ return(adapter.dispatch('snapshot_incremental_config', 'lvsocial')()) }}
{%- endmacro %}
{% macro default__snapshot_incremental_config() -%}
    {{ return({'incremental_strategy': 'delete+insert', 'unique_key': 'snapshot_date'}) }}
{%- endmacro %}
{% macro spark__snapshot_incremental_config() -%}
    {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': ['snapshot_date'], 'file_format': 'parquet'}) }}
{%- endmacro %}
