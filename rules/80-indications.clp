;;; 80-indications.clp -- where the psoas release technique is indicated (the article's
;;; list), reported only when treatment may go ahead (caution or proceed) and the psoas
;;; is quiet: no indication with a blood thinner, leg weakness, worsening pain or pain
;;; that wakes (a bleed, abscess, tumour or aneurysm in the psoas gives the same thigh and
;;; hip signs; principle P4 (kb/principles.json)).  An age condition needs a known age;
;;; indications keep their own sex.
;;; Consumes: disposition, finding, psoas-not-quiet (05-course.clp).  Produces: indication.

(defrule INDICATIONS::female-runner-si
  "[A] Female runners with sacroiliac problems."
  (disposition (level caution|proceed))
  (not (psoas-not-quiet))
  (finding (id sex) (value female))
  (finding (id runner) (value yes))
  (finding (id si_dysfunction) (value yes))
  =>
  (assert (indication (id female_runner_si) (because "sex=female" runner si_dysfunction))))

(defrule INDICATIONS::older-stenosis
  "[A] Older patients (60 or over) with lumbar spinal stenosis."
  (disposition (level caution|proceed))
  (not (psoas-not-quiet))
  (finding (id spinal_stenosis) (value yes))
  (finding (id age) (value ?age&:(integerp ?age)&:(>= ?age 60)))
  =>
  (assert (indication (id older_stenosis) (because spinal_stenosis "age>=60"))))

(defrule INDICATIONS::hip-capsular-pattern
  "[A] Hip capsular pattern: release improves hip external rotation."
  (disposition (level caution|proceed))
  (not (psoas-not-quiet))
  (finding (id hip_capsular_pattern) (value yes))
  =>
  (assert (indication (id hip_capsular_pattern) (because hip_capsular_pattern))))

(defrule INDICATIONS::posterior-ilium
  "[A] Posteriorly rotated ilium."
  (disposition (level caution|proceed))
  (not (psoas-not-quiet))
  (finding (id ilium_posterior_rotation) (value yes))
  =>
  (assert (indication (id posterior_ilium) (because ilium_posterior_rotation))))

(defrule INDICATIONS::femoral-nerve-thigh
  "[A] Diffuse anterolateral thigh complaints from femoral nerve compression."
  (disposition (level caution|proceed))
  (not (psoas-not-quiet))
  (finding (id thigh_symptoms) (value yes))
  =>
  (assert (indication (id femoral_nerve_thigh) (because thigh_symptoms))))

(defrule INDICATIONS::spondylolisthesis
  "[A] Spondylolisthesis, with paraspinal soft-tissue work and a stabilisation programme."
  (disposition (level caution|proceed))
  (not (psoas-not-quiet))
  (finding (id spondylolisthesis) (value yes))
  =>
  (assert (indication (id spondylolisthesis) (because spondylolisthesis))))
