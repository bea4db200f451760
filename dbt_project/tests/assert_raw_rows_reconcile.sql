{#- Nothing lost: raw = staged + quarantined + exact duplicates + superseded, per table. -#}
select *
from {{ ref('stg_core_banking__reconciliation') }}
where unaccounted_rows <> 0
