-- One row per planned action with the state its response reports, decided by the reviewed rule
-- table seeds/hssib_reported_state_rules.csv (one regular expression per rule, with an
-- exclusion; see seeds/hssib_reported_state_rules.md):
--   reported_done | reported_delayed | in_progress  the first rule that matches a sentence;
--   no_update                                       no rule matches any sentence.
-- The action's additional comments (the body's update) are read before the action's own text
-- (the plan): a match in the comments decides, whatever the text says. Within one text the rule
-- with the lowest precedence wins (delay before done before progress), then the earliest
-- sentence. The deciding sentence is kept as evidence. Sentences are split at . ! or ? .

with

actions as (

    select
        action_id,
        additional_comments,
        action_description
    from {{ ref('stg_hssib_recommendations__actions') }}

),

rules as (

    select * from {{ ref('hssib_reported_state_rules') }}

),

texts as (

    select
        action_id,
        1 as source_rank,
        'additional_comments' as evidence_source,
        additional_comments as action_words
    from actions
    where additional_comments is not null

    union all

    select
        action_id,
        2 as source_rank,
        'action_text' as evidence_source,
        action_description as action_words
    from actions
    where action_description is not null

),

split as (

    select
        action_id,
        source_rank,
        evidence_source,
        regexp_extract_all(action_words, '[^.!?]+(?:[.!?]+|$)') as sentences
    from texts

),

sentences as (

    select
        action_id,
        source_rank,
        evidence_source,
        unnest(range(1, len(sentences) + 1)) as sentence_position,
        trim(unnest(sentences)) as sentence
    from split

),

matches as (

    select
        sentences.action_id,
        sentences.source_rank,
        sentences.evidence_source,
        sentences.sentence_position,
        sentences.sentence,
        rules.rule_id,
        rules.reported_state,
        rules.precedence
    from sentences
    inner join rules
        on
            regexp_matches(sentences.sentence, rules.pattern, 'i')
            and not coalesce(regexp_matches(sentences.sentence, nullif(rules.exclude_pattern, ''), 'i'), false
            )

),

decided as (

    select *
    from matches
    qualify
        row_number() over (
            partition by action_id
            order by source_rank, precedence, sentence_position
        ) = 1

),

final as (

    select
        actions.action_id,
        coalesce(decided.reported_state, 'no_update') as reported_state,
        decided.rule_id as reported_state_rule_id,
        decided.sentence as reported_state_evidence,
        decided.evidence_source as reported_state_evidence_source,
        (select max(rules.reviewed_on) from rules) as state_rules_version
    from actions
    left join decided on actions.action_id = decided.action_id

)

select * from final
