{#- A quarantined row always says which rule it failed. -#}
select *
from {{ ref('stg_core_banking__quarantine') }}
where quarantine_reason is null
