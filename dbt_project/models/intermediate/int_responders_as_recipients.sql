-- Organisations that answered a report whose header and addressee block name no organisation:
-- a body that answered a report was sent it, as an addressee (the usual case, and what the
-- warehouse assumes) or as a copied interested person. One row per response document of such a
-- report whose file name names an organisation ("2015-0053-Response-by-Barts-Health-NHS-Trust.pdf"):
-- the listed organisation the name resolves to (int_responses_matched), else the name itself as an
-- unlisted organisation (key name:<normalised name>, the key a recipient piece of the same name
-- gets), typed only by the rules that are safe for unlisted names (a council, a police force; an
-- NHS-looking name is never typed by its words). "REDACTED" and lone words name no one.

with

reports_with_recipients as (

    select distinct report_url
    from {{ ref('int_recipients_resolved') }}
    where organisation_key is not null

),

responses as (

    select
        document_url,
        report_url,
        response_organisation_text,
        file_name_organisation_key
    from {{ ref('int_responses_matched') }}
    where report_url not in (select reports_with_recipients.report_url from reports_with_recipients)

),

named as (

    select
        *,
        {{ org_name_key('response_organisation_text') }} as name_key,
        {{ unlisted_organisation_type('response_organisation_text') }} as rule_organisation_type,
        {{ looks_like_nhs_trust('response_organisation_text') }} as looks_like_nhs_trust,
        not regexp_matches(lower(coalesce(response_organisation_text, '')), '\bredacted\b')
        and {{ names_an_organisation('response_organisation_text') }} as names_organisation
    from responses
    where response_organisation_text is not null

),

final as (

    select
        document_url,
        report_url,
        response_organisation_text,
        coalesce(
            file_name_organisation_key,
            case when names_organisation then 'name:' || {{ slugify('name_key') }} end
        ) as organisation_key,
        case
            when file_name_organisation_key is not null then 'listed'
            when looks_like_nhs_trust then 'unresolved_nhs_name'
            when rule_organisation_type is not null then 'unlisted_type_rule'
            else 'unlisted'
        end as responder_resolution,
        case
            when file_name_organisation_key is not null then null
            when looks_like_nhs_trust then null
            else coalesce(rule_organisation_type, 'other')
        end as unlisted_organisation_type,
        case when file_name_organisation_key is not null then 0.9 else 0.6 end as responder_confidence
    from named
    where file_name_organisation_key is not null or names_organisation

)

select * from final
