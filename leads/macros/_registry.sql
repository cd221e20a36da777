{#- Written by `leads` from sources.yml (stages/transform/registry_files.py): edit sources.yml, not this file. -#}
{#- The registered sources in sources.yml's order: the lead sources' order is the contract's. -#}
{% macro registry() -%}
    {{ return([
        {"id": "source_1", "role": "lead", "state": "NV", "staging_model": "stg_source_1__facilities", "natural_key_pattern": none},
        {"id": "source_2", "role": "lead", "state": "OK", "staging_model": "stg_source_2__facilities", "natural_key_pattern": "^(?:.* - )?([^ ]+)$"},
        {"id": "source_3", "role": "lead", "state": "TX", "staging_model": "stg_source_3__facilities", "natural_key_pattern": none},
        {"id": "salesforce", "role": "crm", "state": none, "staging_model": "stg_salesforce__leads", "natural_key_pattern": none},
    ]) }}
{%- endmacro %}
