from coach.ui import join_page

join_page.render()
